namespace Storefront.Api.Upstreams;

/// <summary>How a feature treats one upstream source: its deadline, whether its caller can do without it, its bulkhead.</summary>
public sealed class SourcePolicy
{
    public int TimeoutMs { get; set; } = 1000;
    public bool Required { get; set; } = true;

    /// <summary>Calls in flight to this source at once (the seed's semaphore).</summary>
    public int MaxConcurrency { get; set; } = 1024;

    /// <summary>Calls allowed to wait for a slot; beyond that a call is rejected at once.</summary>
    public int QueueLimit { get; set; } = 4096;

    /// <param name="setting">Where the policy is configured, as an operator sets it (<c>Products__Pricing</c>).</param>
    public IEnumerable<string> Problems(string setting)
    {
        if (TimeoutMs is < 1 or > 600_000) yield return $"{setting}__TimeoutMs must be between 1 and 600000";
        if (MaxConcurrency is < 1 or > 1_000_000) yield return $"{setting}__MaxConcurrency must be between 1 and 1000000";
        if (QueueLimit is < 0 or > 1_000_000) yield return $"{setting}__QueueLimit must be between 0 and 1000000";
    }
}
