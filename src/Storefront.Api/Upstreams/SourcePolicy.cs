namespace Storefront.Api.Upstreams;

/// <summary>
/// How a feature treats one upstream source: its deadline, whether its caller can do without it, how many calls it
/// may have in flight, its one retry and its circuit breaker (UpstreamPipeline applies them, in that order of nesting).
/// </summary>
public sealed class SourcePolicy
{
    /// <summary>The whole call's deadline: waiting for a slot, the attempts, the retry's pause and reading the body.</summary>
    public int TimeoutMs { get; set; } = 1000;

    public bool Required { get; set; } = true;

    /// <summary>Calls in flight to this source at once (a semaphore, as in docs/seeds.md's product page).</summary>
    public int MaxConcurrency { get; set; } = 1024;

    /// <summary>Calls allowed to wait for a slot; beyond that a call is rejected at once.</summary>
    public int QueueLimit { get; set; } = 4096;

    /// <summary>Whether a GET that failed transiently is tried once more (never when the deadline could not hold it).</summary>
    public bool Retry { get; set; } = true;

    /// <summary>Pause before the retry, jittered by ±25% so that callers failing together do not retry together.</summary>
    public int RetryDelayMs { get; set; } = 50;

    /// <summary>The breaker opens when at least this share of the calls in the sampling window failed...</summary>
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>...and the window holds at least this many calls (a few failures in a quiet minute open nothing).</summary>
    public int MinimumThroughput { get; set; } = 20;

    public int SamplingDurationMs { get; set; } = 10_000;

    /// <summary>How long an open breaker refuses calls before letting one probe through (half-open).</summary>
    public int BreakDurationMs { get; set; } = 5_000;

    /// <param name="setting">Where the policy is configured, as an operator sets it (<c>Products__Pricing</c>).</param>
    public IEnumerable<string> Problems(string setting)
    {
        // The breaker refuses a window or a break under 500 ms; a deadline under 10 ms could not hold a loopback call.
        if (TimeoutMs is < 10 or > 600_000) yield return $"{setting}__TimeoutMs must be between 10 and 600000";
        if (MaxConcurrency is < 1 or > 1_000_000) yield return $"{setting}__MaxConcurrency must be between 1 and 1000000";
        if (QueueLimit is < 0 or > 1_000_000) yield return $"{setting}__QueueLimit must be between 0 and 1000000";
        if (RetryDelayMs is < 0 or > 60_000) yield return $"{setting}__RetryDelayMs must be between 0 and 60000";
        if (!(FailureRatio is > 0 and <= 1)) yield return $"{setting}__FailureRatio must be more than 0 and at most 1";
        if (MinimumThroughput is < 2 or > 1_000_000) yield return $"{setting}__MinimumThroughput must be between 2 and 1000000";
        if (SamplingDurationMs is < 500 or > 86_400_000) yield return $"{setting}__SamplingDurationMs must be between 500 and 86400000";
        if (BreakDurationMs is < 500 or > 86_400_000) yield return $"{setting}__BreakDurationMs must be between 500 and 86400000";
    }
}
