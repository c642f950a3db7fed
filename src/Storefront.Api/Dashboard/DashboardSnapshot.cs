namespace Storefront.Api.Dashboard;

/// <summary>One second of the service, as every open /dashboard/stream receives it (docs/api.md, Operations).</summary>
public sealed record DashboardSnapshot(
    string Time,
    bool Development,
    IReadOnlyList<RouteFigures> Routes,
    long InFlight,
    ThreadPoolFigures ThreadPool,
    IReadOnlyList<UpstreamFigures> Upstreams,
    CacheFigures Cache,
    JobFigures Jobs,
    IReadOnlyList<CpuRunnerFigures> Cpu,
    WebSocketFigures Websockets,
    BlockingFigures Blocking,
    LoadFigures Load);

/// <summary>Requests of one route group (the route's first path segment) in the last second.</summary>
public sealed record RouteFigures(string Group, double Rps, double P50Ms, double P99Ms, long Errors);

public sealed record ThreadPoolFigures(double LagMs, long QueueLength, long Threads);

/// <summary>Calls to one upstream source in the last second, by outcome, and its breaker now.</summary>
public sealed record UpstreamFigures(string Source, double P50Ms, long Calls, long Ok, long Timeout, long Error, long Rejected, long Open,
    string Circuit);

public sealed record CacheFigures(long Hits, long Misses, double HitRatio);

/// <summary>Jobs waiting now (all instances); <c>Dead</c>: jobs that ran out of attempts in the last second.</summary>
public sealed record JobFigures(long Queued, long Running, long Failed, long Dead);

/// <summary>A CPU runner's queue now and its rejections in the last second.</summary>
public sealed record CpuRunnerFigures(string Runner, long Queued, long Rejected);

public sealed record WebSocketFigures(long Open);

/// <summary>Active while the thread-pool lag is above the blocking detector's threshold; routes are its suspects.</summary>
public sealed record BlockingFigures(bool Active, double LagMs, IReadOnlyList<string> Routes);

public sealed record LoadFigures(bool Running);

public sealed record LoadStarted(int Seconds);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(DashboardSnapshot))]
[JsonSerializable(typeof(LoadStarted))]
internal sealed partial class DashboardJsonContext : JsonSerializerContext;
