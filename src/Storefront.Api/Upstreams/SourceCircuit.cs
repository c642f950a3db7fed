using Polly.CircuitBreaker;

namespace Storefront.Api.Upstreams;

/// <summary>
/// One source's circuit breaker as the rest of the service sees it: its state for /metrics and /health/ready, when it
/// lets a call through again (Retry-After), and one log line per change of state instead of one per refused call.
/// The breaker itself is the resilience library's (UpstreamPipeline); this only listens to it.
/// </summary>
public sealed partial class SourceCircuit(string source, TimeProvider clock, ILogger logger)
{
    private long _blockedUntilTicks; // UTC ticks while the breaker is open; 0 once it lets a call through again.

    public string Source => source;

    /// <summary>Attached to the source's breaker when its pipeline is built; reads Closed until then.</summary>
    public CircuitBreakerStateProvider StateProvider { get; } = new();

    /// <summary>The breaker's own state (it takes the breaker's lock: for scrapes and health checks, not every call).</summary>
    public CircuitState State => StateProvider.CircuitState;

    /// <summary>
    /// True while the breaker is open and its break has not run out; once it has, the breaker lets the next call through
    /// as a probe. Read on every product page, so it is one field read while the circuit is closed, and no lock.
    /// </summary>
    public bool RefusesCalls
    {
        get
        {
            var until = Volatile.Read(ref _blockedUntilTicks);
            return until != 0 && clock.GetUtcNow().UtcTicks < until;
        }
    }

    /// <summary>Whole seconds until the break runs out (at least 1), for a 503's Retry-After.</summary>
    public int RetryAfterSeconds
    {
        get
        {
            var left = Volatile.Read(ref _blockedUntilTicks) - clock.GetUtcNow().UtcTicks;
            return left <= 0 ? 1 : (int)Math.Min(int.MaxValue, Math.Ceiling(left / (double)TimeSpan.TicksPerSecond));
        }
    }

    internal ValueTask OnOpened(OnCircuitOpenedArguments<RawJson> args)
    {
        // The breaker awaits this before the call that opened it returns, so the next caller already sees the time.
        Volatile.Write(ref _blockedUntilTicks, (clock.GetUtcNow() + args.BreakDuration).UtcTicks);
        var cause = args.Outcome.Exception switch
        {
            HttpRequestException { StatusCode: { } status } => $"HTTP {(int)status}",
            { } exception => exception.GetType().Name,
            null => "unknown",
        };
        LogOpened(logger, source, (long)args.BreakDuration.TotalMilliseconds, cause);
        return ValueTask.CompletedTask;
    }

    internal ValueTask OnHalfOpened(OnCircuitHalfOpenedArguments args)
    {
        Volatile.Write(ref _blockedUntilTicks, 0);
        LogHalfOpened(logger, source);
        return ValueTask.CompletedTask;
    }

    internal ValueTask OnClosed(OnCircuitClosedArguments<RawJson> args)
    {
        Volatile.Write(ref _blockedUntilTicks, 0);
        LogClosed(logger, source);
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upstream {Source}: circuit opened for {BreakMs} ms after repeated failures (last: {Cause}); its calls are refused meanwhile")]
    private static partial void LogOpened(ILogger logger, string source, long breakMs, string cause);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upstream {Source}: circuit half-open, one call probes it")]
    private static partial void LogHalfOpened(ILogger logger, string source);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upstream {Source}: circuit closed, calls flow again")]
    private static partial void LogClosed(ILogger logger, string source);
}
