using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;

namespace Storefront.Upstreams;

/// <summary>
/// The live behaviour of every route plus counters that let tests see what the caller did
/// (for example that a call was cancelled when the caller's client went away).
/// </summary>
public sealed class SimulatorState
{
    private readonly ConcurrentDictionary<string, RouteBehavior> _behaviors;
    private readonly ConcurrentDictionary<string, RouteStats> _stats = new();

    public SimulatorState(IConfiguration? configuration = null)
    {
        _behaviors = new ConcurrentDictionary<string, RouteBehavior>(RouteBehavior.Defaults);
        foreach (var (route, fallback) in RouteBehavior.Defaults)
        {
            var section = configuration?.GetSection($"Routes:{route}");
            if (section is null || !section.Exists()) continue;
            var configured = new RouteBehavior(
                section.GetValue("LatencyMs", fallback.LatencyMs),
                section.GetValue("JitterMs", fallback.JitterMs),
                section.GetValue("FailureRate", fallback.FailureRate));
            var problems = configured.Validate().ToList();
            if (problems.Count > 0)
                throw new InvalidOperationException($"Simulator route '{route}': {string.Join(" ", problems)}");
            _behaviors[route] = configured;
        }
    }

    public RouteBehavior Get(string route) => _behaviors[route];

    public void Set(string route, RouteBehavior behavior) => _behaviors[route] = behavior;

    public IReadOnlyDictionary<string, RouteBehavior> Behaviors => _behaviors;

    public RouteStats Stats(string route) => _stats.GetOrAdd(route, _ => new RouteStats());

    public IReadOnlyDictionary<string, RouteStats> AllStats => _stats;

    public void Reset()
    {
        foreach (var (route, behavior) in RouteBehavior.Defaults) _behaviors[route] = behavior;
        _stats.Clear();
    }
}

/// <summary>Per-route counters, updated lock-free.</summary>
public sealed class RouteStats
{
    private long _started, _succeeded, _failed, _cancelled;

    public long Started => Interlocked.Read(ref _started);
    public long Succeeded => Interlocked.Read(ref _succeeded);
    public long Failed => Interlocked.Read(ref _failed);
    public long Cancelled => Interlocked.Read(ref _cancelled);

    internal void OnStarted() => Interlocked.Increment(ref _started);
    internal void OnSucceeded() => Interlocked.Increment(ref _succeeded);
    internal void OnFailed() => Interlocked.Increment(ref _failed);
    internal void OnCancelled() => Interlocked.Increment(ref _cancelled);
}
