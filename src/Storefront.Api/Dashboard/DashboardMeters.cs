using System.Diagnostics.Metrics;
using Storefront.Api.Caching;
using Storefront.Api.Compute;
using Storefront.Api.Diagnostics;
using Storefront.Api.Jobs;
using Storefront.Api.Live;
using Storefront.Api.Upstreams;

namespace Storefront.Api.Dashboard;

/// <summary>
/// Reads the instruments /metrics exports (this host's meters only: tests run several hosts in one process) with a
/// <see cref="MeterListener"/> that exists only while someone watches: with no viewer no measurement reaches it, so
/// the dashboard costs requests nothing. Requests are counted per thread by <see cref="RequestTally"/> (the one
/// instrument every request reports); upstream calls and jobs fill the current <see cref="MetricsWindow"/>;
/// observable ones (gauges, running totals) are read once per <see cref="Collect"/>.
/// </summary>
internal sealed class DashboardMeters(IMeterFactory meterFactory) : IDisposable
{
    private enum Kind { RequestDuration, UpstreamDuration, JobFinished, Gauge, Total }

    // Boxed once: the listener hands the state object back with every measurement.
    // Each feature spells its instruments' names once (XxxMetrics.Names); the framework's request duration is ASP.NET Core's.
    private static readonly Dictionary<string, object> Instruments = new(StringComparer.Ordinal)
    {
        ["http.server.request.duration"] = Kind.RequestDuration,
        [UpstreamMetrics.Names.RequestDuration] = Kind.UpstreamDuration,
        [JobMetrics.Names.Finished] = Kind.JobFinished,
        [BlockingDetector.Names.Lag] = Kind.Gauge,
        [BlockingDetector.Names.QueueLength] = Kind.Gauge,
        [BlockingDetector.Names.Threads] = Kind.Gauge,
        [JobMetrics.Names.Waiting] = Kind.Gauge,
        [UpstreamMetrics.Names.CircuitState] = Kind.Gauge,
        [CpuRunnerMetrics.Names.QueueLength] = Kind.Gauge,
        [LiveMetrics.Names.WebSocketsOpen] = Kind.Gauge,
        [CacheMetrics.Names.Lookups] = Kind.Total,
        [CpuRunnerMetrics.Names.Rejected] = Kind.Total,
    };

    private readonly Lock _gate = new();
    // Written and read only on the collecting thread (RecordObservableInstruments calls back synchronously).
    private readonly Dictionary<(string Instrument, string Tag), double> _observed = [];
    private readonly Dictionary<(string Instrument, string Tag), double> _previousTotals = [];
    private MeterListener? _listener;
    private MetricsWindow _window = new(0);
    private RequestTally _requests = new();

    /// <summary>Whether measurements are being taken now (tests check that nobody watching means nothing measured).</summary>
    internal bool IsListening => Volatile.Read(ref _listener) is not null;

    public void Start(long timestamp)
    {
        lock (_gate)
        {
            if (_listener is not null) return;
            _previousTotals.Clear();
            Volatile.Write(ref _window, new MetricsWindow(timestamp));
            Volatile.Write(ref _requests, new RequestTally());
            var listener = new MeterListener { InstrumentPublished = Publish };
            listener.SetMeasurementEventCallback<double>(OnMeasurement);
            listener.SetMeasurementEventCallback<long>(OnMeasurement);
            listener.SetMeasurementEventCallback<int>(OnMeasurement);
            listener.Start();
            Volatile.Write(ref _listener, listener);
        }
    }

    public void Stop()
    {
        lock (_gate)
        {
            _listener?.Dispose();
            Volatile.Write(ref _listener, null);
            _requests.Close();
        }
    }

    public void Dispose() => Stop();

    /// <summary>Ends the current window and reads every observable instrument.</summary>
    public MeterReading Collect(long timestamp)
    {
        lock (_gate)
        {
            _observed.Clear();
            _listener?.RecordObservableInstruments();
            var window = Interlocked.Exchange(ref _window, new MetricsWindow(timestamp));
            var requests = _requests.Collect();
            var gauges = new Dictionary<(string, string), double>();
            var deltas = new Dictionary<(string, string), double>();
            foreach (var (key, value) in _observed)
            {
                if (Instruments[key.Instrument] is Kind.Total)
                {
                    // The first reading after a start has nothing to subtract: it counts as none in that second.
                    deltas[key] = _previousTotals.TryGetValue(key, out var previous) ? Math.Max(0, value - previous) : 0;
                    _previousTotals[key] = value;
                }
                else
                {
                    gauges[key] = value;
                }
            }
            return new MeterReading(window, requests, gauges, deltas);
        }
    }

    private void Publish(Instrument instrument, MeterListener listener)
    {
        if (ReferenceEquals(instrument.Meter.Scope, meterFactory) && Instruments.TryGetValue(instrument.Name, out var kind))
            listener.EnableMeasurementEvents(instrument, kind);
    }

    private void OnMeasurement<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
        where T : struct, System.Numerics.INumberBase<T>
    {
        switch ((Kind)state!)
        {
            case Kind.RequestDuration:
                RecordRequest(double.CreateTruncating(value), tags);
                break;
            case Kind.UpstreamDuration:
                var source = Tag(tags, "source") ?? "";
                Volatile.Read(ref _window).Upstreams.GetOrAdd(source, static _ => new UpstreamStats())
                    .Record(double.CreateTruncating(value), Tag(tags, "status"));
                break;
            case Kind.JobFinished:
                if (Tag(tags, "outcome") == "dead") Volatile.Read(ref _window).JobDied();
                break;
            default:
                _observed[(instrument.Name, tags.Length > 0 ? tags[0].Value?.ToString() ?? "" : "")] = double.CreateTruncating(value);
                break;
        }
    }

    private void RecordRequest(double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? route = null;
        var serverError = false;
        foreach (var tag in tags)
        {
            if (tag.Key == "http.route") route = tag.Value as string;
            else if (tag.Key == "http.response.status_code") serverError = tag.Value is int status && status >= 500;
        }
        Volatile.Read(ref _requests).Record(route ?? "", seconds, serverError);
    }

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
    {
        foreach (var tag in tags)
            if (tag.Key == key) return tag.Value as string;
        return null;
    }
}

/// <summary>One second's window and requests by route group, the gauges now, and how much each running total grew since
/// the last reading.</summary>
internal sealed record MeterReading(
    MetricsWindow Window,
    IReadOnlyDictionary<string, RequestStats> Requests,
    IReadOnlyDictionary<(string Instrument, string Tag), double> Gauges,
    IReadOnlyDictionary<(string Instrument, string Tag), double> Deltas);
