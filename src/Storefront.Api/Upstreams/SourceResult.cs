namespace Storefront.Api.Upstreams;

public enum SourceStatus
{
    Ok,
    Timeout,
    Error,
    Rejected,

    /// <summary>Refused without a call: the source's circuit breaker is open after repeated failures.</summary>
    Open,

    /// <summary>Stopped because the answer no longer mattered (a required sibling had already failed).</summary>
    Cancelled,
}

/// <summary>What one upstream call came to, and how long it took.</summary>
/// <param name="RetryAfterSeconds">For <see cref="SourceStatus.Open"/>: when the breaker lets a call through again.</param>
public readonly record struct SourceResult(string Source, SourceStatus Status, RawJson? Body, double Ms, string? Detail,
    int RetryAfterSeconds = 0)
{
    public bool Succeeded => Status == SourceStatus.Ok;

    public string StatusName => Status switch
    {
        SourceStatus.Ok => "ok",
        SourceStatus.Timeout => "timeout",
        SourceStatus.Error => "error",
        SourceStatus.Rejected => "rejected",
        SourceStatus.Open => "open",
        _ => "cancelled",
    };

    /// <summary>The sentence a client sees when this source sinks the whole request.</summary>
    public string Describe() => Status switch
    {
        SourceStatus.Timeout => $"The {Source} service timed out: {Detail}.",
        SourceStatus.Rejected => $"The {Source} service is saturated: {Detail}.",
        SourceStatus.Open => $"The {Source} service is unavailable: {Detail}.",
        _ => $"The {Source} service failed: {Detail}.",
    };

    public SourceReport ToReport() => new(StatusName, Ms, Detail);
}

/// <summary>How one source fared, as responses show it (<c>sources.pricing</c>).</summary>
public sealed record SourceReport(
    string Status,
    double Ms,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Detail);
