using System.Diagnostics.Metrics;

namespace Storefront.Api.Diagnostics.Metrics;

/// <summary>How a measurement is folded into its series.</summary>
internal enum Aggregation
{
    /// <summary>Deltas are added (Counter, UpDownCounter).</summary>
    Sum,

    /// <summary>The measurement replaces the value (gauges, and observables, which report their own totals).</summary>
    LastValue,

    /// <summary>Counted into fixed buckets, with a running sum.</summary>
    Histogram,
}

/// <summary>What the registry exports for an instrument, decided once when the instrument is published.</summary>
internal sealed class MetricDescriptor
{
    /// <summary>Suited to request latencies in seconds: 1 ms to 10 s.</summary>
    public static readonly IReadOnlyList<double> DefaultSecondsBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private MetricDescriptor(Instrument instrument, MetricType type, Aggregation aggregation, bool isInteger, bool isObservable, double[] bounds)
    {
        Name = PrometheusNames.ForInstrument(instrument.Name, instrument.Unit, type);
        Help = instrument.Description;
        Type = type;
        Aggregation = aggregation;
        IsInteger = isInteger;
        IsObservable = isObservable;
        Bounds = bounds;
    }

    public string Name { get; }
    public string? Help { get; }
    public MetricType Type { get; }
    public Aggregation Aggregation { get; }

    /// <summary>Integral instruments keep a long (exact, one Interlocked.Add); the others a double.</summary>
    public bool IsInteger { get; }

    /// <summary>Observed at scrape time: a series not reported by the latest scrape is left out.</summary>
    public bool IsObservable { get; }

    /// <summary>Histogram upper bounds, ascending and finite; +Inf is implied. Empty for other types.</summary>
    public double[] Bounds { get; }

    /// <summary>Null for instrument types the registry does not export.</summary>
    public static MetricDescriptor? For(Instrument instrument)
    {
        var type = instrument.GetType();
        if (!type.IsGenericType) return null;
        var definition = type.GetGenericTypeDefinition();
        var valueType = type.GetGenericArguments()[0];
        var isInteger = valueType == typeof(long) || valueType == typeof(int) || valueType == typeof(short) || valueType == typeof(byte);

        if (definition == typeof(Counter<>)) return new(instrument, MetricType.Counter, Aggregation.Sum, isInteger, false, []);
        if (definition == typeof(UpDownCounter<>)) return new(instrument, MetricType.Gauge, Aggregation.Sum, isInteger, false, []);
        if (definition == typeof(Gauge<>)) return new(instrument, MetricType.Gauge, Aggregation.LastValue, isInteger, false, []);
        if (definition == typeof(Histogram<>)) return new(instrument, MetricType.Histogram, Aggregation.Histogram, isInteger, false, HistogramBounds(instrument));
        if (definition == typeof(ObservableCounter<>)) return new(instrument, MetricType.Counter, Aggregation.LastValue, isInteger, true, []);
        if (definition == typeof(ObservableUpDownCounter<>)) return new(instrument, MetricType.Gauge, Aggregation.LastValue, isInteger, true, []);
        if (definition == typeof(ObservableGauge<>)) return new(instrument, MetricType.Gauge, Aggregation.LastValue, isInteger, true, []);
        return null;
    }

    /// <summary>Two instruments may feed one family (same name from two meters) only if their series mean the same thing.</summary>
    public bool IsCompatibleWith(MetricDescriptor other) =>
        Type == other.Type && Aggregation == other.Aggregation && IsInteger == other.IsInteger
        && IsObservable == other.IsObservable && Bounds.SequenceEqual(other.Bounds);

    private static double[] HistogramBounds(Instrument instrument)
    {
        // Advice is per value type; an instrument without it gets the seconds buckets.
        IEnumerable<double>? advised = instrument switch
        {
            Instrument<double> i => i.Advice?.HistogramBucketBoundaries,
            Instrument<float> i => i.Advice?.HistogramBucketBoundaries?.Select(b => (double)b),
            Instrument<long> i => i.Advice?.HistogramBucketBoundaries?.Select(b => (double)b),
            Instrument<int> i => i.Advice?.HistogramBucketBoundaries?.Select(b => (double)b),
            Instrument<short> i => i.Advice?.HistogramBucketBoundaries?.Select(b => (double)b),
            Instrument<byte> i => i.Advice?.HistogramBucketBoundaries?.Select(b => (double)b),
            Instrument<decimal> i => i.Advice?.HistogramBucketBoundaries?.Select(b => (double)b),
            _ => null,
        };
        // InstrumentAdvice already refuses unsorted or repeated bounds; an infinite one goes, as +Inf is always written last.
        return (advised ?? DefaultSecondsBuckets).Where(double.IsFinite).ToArray();
    }
}
