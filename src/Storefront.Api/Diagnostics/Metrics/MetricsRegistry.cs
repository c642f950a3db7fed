using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging.Abstractions;

namespace Storefront.Api.Diagnostics.Metrics;

/// <summary>
/// Listens to this service's meters (names starting with <see cref="MetricsOptions.MeterPrefix"/>) and keeps their
/// measurements aggregated in memory for /metrics. Counters and up-down counters are sums, histograms count into
/// fixed buckets, gauges and observable instruments keep the last value (observables are read at each scrape).
/// </summary>
/// <remarks>
/// Cost of a measurement whose tag combination was seen before: the listener's delegate call, a hash of the tag
/// names and values, one lock-free dictionary read, and an Interlocked update; no allocation. A new combination
/// takes its metric's lock once and allocates its series. See <see cref="MetricFamily"/>.
/// </remarks>
public sealed class MetricsRegistry : IDisposable
{
    public const string DefaultMeterPrefix = "Storefront";

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, MetricFamily> _families = new(StringComparer.Ordinal);
    private readonly Lock _publishGate = new();
    private readonly Lock _collectGate = new();
    private readonly CollectionCycle _cycle = new();
    private readonly string _meterPrefix;
    private readonly int _maxSeries;
    private readonly IMeterFactory? _meterFactory;
    private readonly ILogger _logger;
    private int _started;

    /// <param name="meterFactory">
    /// When given, meters made by another factory (another host in the same process, as in tests) are ignored;
    /// meters made with <c>new Meter(...)</c> belong to the process and are always included.
    /// </param>
    public MetricsRegistry(MetricsOptions options, IMeterFactory? meterFactory = null, ILogger<MetricsRegistry>? logger = null)
    {
        _meterPrefix = options.MeterPrefix;
        _maxSeries = options.MaxSeriesPerMetric;
        _meterFactory = meterFactory;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _listener.InstrumentPublished = OnInstrumentPublished;
        _listener.MeasurementsCompleted = OnMeasurementsCompleted;
        // The state is the instrument's family, handed over by EnableMeasurementEvents: no lookup per measurement.
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<short>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<byte>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<decimal>(static (_, value, tags, state) => ((MetricFamily)state!).Record((double)value, tags));
    }

    /// <summary>Starts listening: instruments that exist already and any created later. Idempotent.</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) == 0) _listener.Start();
    }

    /// <summary>Reads the observable instruments, then snapshots every metric that has a series, sorted by name.</summary>
    public IReadOnlyList<MetricSnapshot> Collect()
    {
        // One scrape at a time: observable callbacks need not be thread-safe, and the cycle marks one scrape's reports.
        lock (_collectGate)
        {
            _cycle.Advance();
            try
            {
                _listener.RecordObservableInstruments();
            }
            catch (AggregateException e)
            {
                // The listener calls every callback and then throws what failed: the others' values are still good.
                _logger.LogWarning(e, "An observable instrument's callback failed; its series are missing from this scrape.");
            }
            return [.. _families.Values.Select(f => f.Snapshot()).Where(m => m.Series.Count > 0).OrderBy(m => m.Name, StringComparer.Ordinal)];
        }
    }

    public void Dispose() => _listener.Dispose();

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        var meter = instrument.Meter;
        if (!meter.Name.StartsWith(_meterPrefix, StringComparison.Ordinal)) return;
        if (_meterFactory is not null && meter.Scope is not null && !ReferenceEquals(meter.Scope, _meterFactory)) return;
        if (MetricDescriptor.For(instrument) is not { } descriptor) return;

        MetricFamily family;
        lock (_publishGate)
        {
            if (_families.TryGetValue(descriptor.Name, out var existing))
            {
                // Two meters may well declare the same counter; they then add into the same series.
                if (!existing.Descriptor.IsCompatibleWith(descriptor))
                {
                    _logger.LogWarning("Metric {Name} from meter {Meter} is not exported: the name is taken by an instrument of another kind.",
                        descriptor.Name, meter.Name);
                    return;
                }
                family = existing;
            }
            else
            {
                family = new MetricFamily(descriptor, _maxSeries, _cycle);
                _families[descriptor.Name] = family;
            }
            family.Instruments++;
        }
        listener.EnableMeasurementEvents(instrument, family);
    }

    /// <summary>The instrument's meter was disposed: its metric goes once no other instrument feeds it.</summary>
    private void OnMeasurementsCompleted(Instrument instrument, object? state)
    {
        if (state is not MetricFamily family) return;
        lock (_publishGate)
        {
            if (--family.Instruments == 0) _families.TryRemove(new KeyValuePair<string, MetricFamily>(family.Descriptor.Name, family));
        }
    }
}
