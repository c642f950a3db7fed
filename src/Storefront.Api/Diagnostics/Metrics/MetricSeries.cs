namespace Storefront.Api.Diagnostics.Metrics;

/// <summary>
/// One labelled series: the hot-path target of every measurement. Lock-free: an Interlocked.Add on a long, or a
/// compare-exchange loop on a double that only retries when two threads hit this series in the same instant.
/// A histogram observation is one Interlocked.Increment on its bucket plus that loop on the sum.
/// </summary>
internal sealed class MetricSeries(IReadOnlyList<KeyValuePair<string, string>> labels, int bucketCount)
{
    private readonly long[] _buckets = new long[bucketCount];
    private long _long;
    private double _double; // also a histogram's sum
    private long _observedInCycle;

    /// <summary>Sorted by name, values as text: the order-independent identity of the series.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Labels { get; } = labels;

    /// <summary>A family writes either the long or the double, never both, so their sum is the value.</summary>
    public double Value => Interlocked.Read(ref _long) + Volatile.Read(ref _double);

    public long ObservedInCycle => Volatile.Read(ref _observedInCycle);

    public void Add(long delta) => Interlocked.Add(ref _long, delta);

    public void Add(double delta) => AddDouble(ref _double, delta);

    public void Set(long value) => Interlocked.Exchange(ref _long, value);

    public void Set(double value) => Volatile.Write(ref _double, value);

    public void MarkObserved(long cycle) => Volatile.Write(ref _observedInCycle, cycle);

    public void Observe(double value, double[] bounds)
    {
        Interlocked.Increment(ref _buckets[BucketIndex(bounds, value)]);
        AddDouble(ref _double, value);
    }

    public HistogramSnapshot ReadHistogram(IReadOnlyList<double> bounds)
    {
        var counts = new long[_buckets.Length];
        for (var i = 0; i < counts.Length; i++) counts[i] = Volatile.Read(ref _buckets[i]);
        // The sum may be off by the observations in flight while this reads; Prometheus tolerates that. It does not
        // tolerate +Inf != _count, which taking the count as the buckets' total rules out.
        return new HistogramSnapshot(bounds, counts, Volatile.Read(ref _double));
    }

    /// <summary>Buckets are upper-inclusive (<c>le</c>): the first bound at or above the value, else +Inf.</summary>
    private static int BucketIndex(double[] bounds, double value)
    {
        // A linear scan beats a binary search over the usual dozen bounds.
        if (bounds.Length <= 16)
        {
            for (var i = 0; i < bounds.Length; i++)
                if (value <= bounds[i]) return i;
            return bounds.Length;
        }
        int low = 0, high = bounds.Length;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (value <= bounds[middle]) high = middle;
            else low = middle + 1;
        }
        return low;
    }

    private static void AddDouble(ref double location, double delta)
    {
        var current = Volatile.Read(ref location);
        while (true)
        {
            var seen = Interlocked.CompareExchange(ref location, current + delta, current);
            // Bits, not ==: once the value is NaN, NaN != NaN would spin forever.
            if (BitConverter.DoubleToInt64Bits(seen) == BitConverter.DoubleToInt64Bits(current)) return;
            current = seen;
        }
    }
}
