using System.Globalization;
using Storefront.Api.Caching;
using Storefront.Api.Compute;
using Storefront.Api.Diagnostics;
using Storefront.Api.Jobs;
using Storefront.Api.Live;
using Storefront.Api.Upstreams;

namespace Storefront.Api.Dashboard;

/// <summary>Turns one <see cref="MeterReading"/> into the snapshot the page draws (the contract is docs/api.md's).</summary>
internal sealed class SnapshotBuilder(InFlightRequests inFlight, BlockingDetector detector, IOptions<BlockingDetectorOptions> blocking,
    LoadBurst load, IHostEnvironment environment, TimeProvider clock)
{
    private const int Suspects = 5;

    // How long the banner stays after the last late probe: a stall starves the snapshot's own timer too, so the first
    // snapshot after it comes when the pool is free again, and must still say what happened.
    private static readonly TimeSpan StallShownFor = TimeSpan.FromSeconds(3);

    public DashboardSnapshot Build(MeterReading reading, long now)
    {
        var seconds = Math.Max(0.001, clock.GetElapsedTime(reading.Window.Started, now).TotalSeconds);
        var gauges = reading.Gauges;
        var lagMs = Gauge(gauges, BlockingDetector.Names.Lag) * 1000;
        var stall = detector.LastStall is { } last && System.Diagnostics.Stopwatch.GetElapsedTime(last.At) < StallShownFor ? last : null;
        var blocked = lagMs >= blocking.Value.WarnAboveMs || stall is not null;
        var hits = (long)Delta(reading, CacheMetrics.Names.Lookups, "hit");
        var misses = (long)Delta(reading, CacheMetrics.Names.Lookups, "miss");
        return new DashboardSnapshot(
            clock.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            environment.IsDevelopment(),
            Routes(reading.Requests, seconds),
            inFlight.Count,
            new ThreadPoolFigures(Math.Round(lagMs, 1), (long)Gauge(gauges, BlockingDetector.Names.QueueLength),
                (long)Gauge(gauges, BlockingDetector.Names.Threads)),
            Upstreams(reading),
            new CacheFigures(hits, misses, hits + misses == 0 ? 0 : Math.Round((double)hits / (hits + misses), 3)),
            new JobFigures((long)Gauge(gauges, JobMetrics.Names.Waiting, "queued"), (long)Gauge(gauges, JobMetrics.Names.Waiting, "running"),
                (long)Gauge(gauges, JobMetrics.Names.Waiting, "failed"), reading.Window.DeadJobs),
            Series(gauges, CpuRunnerMetrics.Names.QueueLength)
                .Select(r => new CpuRunnerFigures(r.Tag, (long)r.Value, (long)Delta(reading, CpuRunnerMetrics.Names.Rejected, r.Tag))).ToList(),
            new WebSocketFigures((long)Series(gauges, LiveMetrics.Names.WebSocketsOpen).Sum(s => s.Value)),
            new BlockingFigures(blocked, Math.Round(Math.Max(lagMs, stall?.Lag.TotalMilliseconds ?? 0), 1), !blocked ? []
                : stall is { Routes.Count: > 0 } ? stall.Routes : inFlight.Longest(Suspects).Select(r => r.Route).ToList()),
            new LoadFigures(load.IsRunning));
    }

    private static List<RouteFigures> Routes(IReadOnlyDictionary<string, RequestStats> requests, double seconds) =>
        requests.OrderBy(r => r.Key, StringComparer.Ordinal)
            .Select(r => new RouteFigures(r.Key, Math.Round(r.Value.Durations.Count / seconds, 1), Ms(r.Value.Durations.QuantileMs(0.5)),
                Ms(r.Value.Durations.QuantileMs(0.99)), r.Value.Errors))
            .ToList();

    // Every registered source is listed from startup (its breaker gauge), called this second or not.
    private static List<UpstreamFigures> Upstreams(MeterReading reading) =>
        Series(reading.Gauges, UpstreamMetrics.Names.CircuitState).Select(s => s.Tag)
            .Union(reading.Window.Upstreams.Keys).Order(StringComparer.Ordinal)
            .Select(source =>
            {
                var stats = reading.Window.Upstreams.GetValueOrDefault(source);
                return new UpstreamFigures(source, Ms(stats?.Durations.QuantileMs(0.5) ?? 0), stats?.Durations.Count ?? 0,
                    stats?[UpstreamOutcome.Ok] ?? 0, stats?[UpstreamOutcome.Timeout] ?? 0, stats?[UpstreamOutcome.Error] ?? 0,
                    stats?[UpstreamOutcome.Rejected] ?? 0, stats?[UpstreamOutcome.Open] ?? 0,
                    Circuit(Gauge(reading.Gauges, UpstreamMetrics.Names.CircuitState, source)));
            })
            .ToList();

    // The gauge's levels (UpstreamCircuits): 0 closed, 1 half-open, 2 open.
    private static string Circuit(double level) => level switch
    {
        >= 2 => "open",
        >= 1 => "half-open",
        _ => "closed",
    };

    private static double Ms(double ms) => Math.Round(ms, 2);

    private static double Gauge(IReadOnlyDictionary<(string, string), double> gauges, string instrument, string tag = "") =>
        gauges.GetValueOrDefault((instrument, tag));

    private static double Delta(MeterReading reading, string instrument, string tag) => reading.Deltas.GetValueOrDefault((instrument, tag));

    private static IEnumerable<(string Tag, double Value)> Series(IReadOnlyDictionary<(string Instrument, string Tag), double> gauges,
        string instrument) =>
        gauges.Where(g => g.Key.Instrument == instrument).OrderBy(g => g.Key.Tag, StringComparer.Ordinal).Select(g => (g.Key.Tag, g.Value));
}
