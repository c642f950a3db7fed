using System.Threading.RateLimiting;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Storefront.Api.Upstreams;

/// <summary>
/// One source's resilience pipeline, outermost first: circuit breaker, deadline, concurrency limit, one retry
/// (docs/architecture.md, "Upstream calls", says why in this order). Each source has its own, on its own named client.
/// </summary>
internal static class UpstreamPipeline
{
    /// <summary>When the deadline started, so the retry can tell whether what is left of it can hold another attempt.</summary>
    private static readonly ResiliencePropertyKey<long> DeadlineStarted = new("storefront.upstream.deadline-started");

    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, SourcePolicy policy, SourceCircuit circuit,
        TimeProvider clock)
    {
        pipeline.TimeProvider = clock; // The one the circuit reads too, so Retry-After and the break agree.
        var deadline = TimeSpan.FromMilliseconds(policy.TimeoutMs);

        // Outermost, so an open circuit refuses a call before it queues for a slot, and the breaker sees each call's
        // final outcome: a deadline missed (TimeoutRejectedException), not the cancellation inside it that a caller's
        // own cancellation would look like; a refusal by the limiter is not the source failing.
        pipeline.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
        {
            FailureRatio = policy.FailureRatio,
            MinimumThroughput = policy.MinimumThroughput,
            SamplingDuration = TimeSpan.FromMilliseconds(policy.SamplingDurationMs),
            BreakDuration = TimeSpan.FromMilliseconds(policy.BreakDurationMs),
            // The breaker has no "neither": an outcome it does not handle counts as a success. A probe whose caller left
            // (or whose page a sibling had already sunk) proved nothing, so it keeps the circuit open for another break
            // rather than closing it on a source that may still be failing.
            ShouldHandle = args => ValueTask.FromResult(IsSourceFailure(args.Outcome) ||
                (args.Outcome.Exception is OperationCanceledException && circuit.State == CircuitState.HalfOpen)),
            StateProvider = circuit.StateProvider,
            OnOpened = circuit.OnOpened,
            OnHalfOpened = circuit.OnHalfOpened,
            OnClosed = circuit.OnClosed,
        });

        // The deadline covers the wait for a slot, both attempts, the pause between them and the body.
        pipeline.AddTimeout(new TimeoutStrategyOptions
        {
            TimeoutGenerator = args =>
            {
                args.Context.Properties.Set(DeadlineStarted, clock.GetTimestamp());
                return ValueTask.FromResult(deadline);
            },
        });

        // The seed's semaphore with a bounded queue; a retry keeps the slot of its call rather than queueing again.
        pipeline.AddConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = policy.MaxConcurrency,
            QueueLimit = policy.QueueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });

        if (!policy.Retry) return;
        var longestPause = TimeSpan.FromMilliseconds(policy.RetryDelayMs * 1.25); // Constant backoff's jitter is ±25%.
        pipeline.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
        {
            MaxRetryAttempts = 1,
            BackoffType = DelayBackoffType.Constant,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(policy.RetryDelayMs),
            ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args, deadline, longestPause, clock)),
        });
    }

    /// <summary>What counts against the source in the breaker's window.</summary>
    private static bool IsSourceFailure(Outcome<HttpResponseMessage> outcome) => outcome.Exception switch
    {
        TimeoutRejectedException or HttpRequestException => true,
        null => IsFailureStatus(outcome.Result!, countThrottling: true),
        _ => false, // The caller left, or the concurrency limit refused the call: not the source's doing.
    };

    /// <summary>
    /// A GET (safe to send twice) that failed in a way another try may fix, and only if another attempt as long as the
    /// first, plus the pause, still fits in the deadline: a retry that could only end in a timeout is load for nothing.
    /// </summary>
    private static bool ShouldRetry(RetryPredicateArguments<HttpResponseMessage> args, TimeSpan deadline, TimeSpan longestPause,
        TimeProvider clock)
    {
        if (args.Context.GetRequestMessage()?.Method != HttpMethod.Get) return false;
        var transient = args.Outcome.Exception switch
        {
            // A body over the size limit would be just as large the second time.
            HttpRequestException e => e.HttpRequestError != HttpRequestError.ConfigurationLimitExceeded,
            null => IsFailureStatus(args.Outcome.Result!, countThrottling: false),
            _ => false,
        };
        if (!transient) return false;
        var elapsed = clock.GetElapsedTime(args.Context.Properties.GetValue(DeadlineStarted, clock.GetTimestamp()));
        return elapsed + longestPause + elapsed <= deadline;
    }

    /// <summary>5xx and 408; 429 too for the breaker (the source asks for less traffic), never for a retry.</summary>
    private static bool IsFailureStatus(HttpResponseMessage response, bool countThrottling)
    {
        var status = (int)response.StatusCode;
        return status >= 500 || status == 408 || (countThrottling && status == 429);
    }
}
