using System.Net;
using System.Text.Json;
using System.Threading.RateLimiting;
using Polly;
using Polly.CircuitBreaker;

namespace Storefront.Api.Upstreams;

/// <summary>
/// The parts of one source's resilience pipeline and the rules they apply. UpstreamSource runs them around each call,
/// outermost first: the deadline, the concurrency limit, at most one retry, and the circuit breaker around each attempt
/// (docs/decisions/upstream-pipeline-by-hand.md says why in this order and why they are composed there rather than as
/// strategies of one Polly pipeline or an HttpClient resilience handler: each strategy is an async layer per call, which
/// the product page's throughput showed; docs/benchmarks-notes.md has the figures).
/// </summary>
internal static class UpstreamPipeline
{
    /// <summary>
    /// The circuit breaker, Polly's: it opens on a failure ratio over a sampling window with a minimum throughput,
    /// refuses calls while open, lets one probe through when the break runs out and closes on its success. It sees each
    /// attempt, as in the standard HttpClient pipeline, so a retry that fails too counts twice against the source.
    /// </summary>
    public static ResiliencePipeline<RawJson> Breaker(SourcePolicy policy, SourceCircuit circuit, TimeProvider clock) =>
        // Built without telemetry: per-call pipeline metrics and logs would cost the fan-out more than the breaker itself;
        // each call's outcome is in storefront.upstream.request.duration and each change of state is logged.
        new ResiliencePipelineBuilder<RawJson> { Name = circuit.Source, TimeProvider = clock }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<RawJson>
            {
                FailureRatio = policy.FailureRatio,
                MinimumThroughput = policy.MinimumThroughput,
                SamplingDuration = TimeSpan.FromMilliseconds(policy.SamplingDurationMs),
                BreakDuration = TimeSpan.FromMilliseconds(policy.BreakDurationMs),
                // The breaker has no "neither": an outcome it does not handle counts as a success. A probe whose caller
                // left (or whose page a sibling had already sunk) proved nothing, so it keeps the circuit open for another
                // break rather than closing it on a source that may still be failing.
                ShouldHandle = args => ValueTask.FromResult(IsSourceFailure(args.Outcome.Exception) ||
                    (args.Outcome.Exception is OperationCanceledException && circuit.State == CircuitState.HalfOpen)),
                StateProvider = circuit.StateProvider,
                OnOpened = circuit.OnOpened,
                OnHalfOpened = circuit.OnHalfOpened,
                OnClosed = circuit.OnClosed,
            })
            .Build();

    /// <summary>A semaphore with a bounded queue, as the library's limiter; a retry keeps the slot of its call.</summary>
    public static ConcurrencyLimiter Limiter(SourcePolicy policy) => new(new ConcurrencyLimiterOptions
    {
        PermitLimit = policy.MaxConcurrency,
        QueueLimit = policy.QueueLimit,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });

    /// <summary>
    /// What counts against the source in the breaker's window: no answer in time, no answer at all, a failure status,
    /// a body that is not JSON. A refused call (open circuit, no slot) or a caller that left is not the source's doing.
    /// </summary>
    public static bool IsSourceFailure(Exception? exception) => exception switch
    {
        HttpRequestException { StatusCode: { } status } => IsFailureStatus(status, countThrottling: true),
        TimeoutException or HttpRequestException or JsonException => true,
        _ => false,
    };

    /// <summary>
    /// Whether a failed attempt is tried once more: only a call safe to send twice (a GET), only a failure another try
    /// may fix, and only if another attempt as long as the first, plus the longest pause, still fits in the deadline: a
    /// retry that could only end in a timeout is load for nothing.
    /// </summary>
    public static bool ShouldRetry(HttpMethod method, Exception failure, TimeSpan elapsed, TimeSpan longestPause, TimeSpan deadline)
    {
        if (method != HttpMethod.Get && method != HttpMethod.Head) return false;
        var transient = failure switch
        {
            HttpRequestException { StatusCode: { } status } => IsFailureStatus(status, countThrottling: false),
            // A body over the size limit would be just as large the second time.
            HttpRequestException e => e.HttpRequestError != HttpRequestError.ConfigurationLimitExceeded,
            _ => false, // A timeout has used the deadline up; an open circuit or a body that is not JSON will not change.
        };
        return transient && elapsed + longestPause + elapsed <= deadline;
    }

    /// <summary>The pause before the retry: the configured delay, jittered by ±25% so callers failing together spread out.</summary>
    public static TimeSpan RetryPause(SourcePolicy policy) =>
        TimeSpan.FromMilliseconds(policy.RetryDelayMs * (0.75 + Random.Shared.NextDouble() / 2));

    public static TimeSpan LongestPause(SourcePolicy policy) => TimeSpan.FromMilliseconds(policy.RetryDelayMs * 1.25);

    /// <summary>5xx and 408; 429 too for the breaker (the source asks for less traffic), never for a retry.</summary>
    private static bool IsFailureStatus(HttpStatusCode status, bool countThrottling) =>
        (int)status >= 500 || status == HttpStatusCode.RequestTimeout || (countThrottling && status == HttpStatusCode.TooManyRequests);
}
