namespace Storefront.Api.Upstreams;

public enum SourceStatus
{
    Ok,
    Timeout,
    Error,
    Rejected,

    /// <summary>Stopped because the answer no longer mattered (a required sibling had already failed).</summary>
    Cancelled,
}

/// <summary>What one upstream call came to, and how long it took.</summary>
public readonly record struct SourceResult(string Source, SourceStatus Status, RawJson? Body, double Ms, string? Detail)
{
    public bool Succeeded => Status == SourceStatus.Ok;

    public string StatusName => Status switch
    {
        SourceStatus.Ok => "ok",
        SourceStatus.Timeout => "timeout",
        SourceStatus.Error => "error",
        SourceStatus.Rejected => "rejected",
        _ => "cancelled",
    };

    /// <summary>The sentence a client sees when this source sinks the whole request.</summary>
    public string Describe() => Status switch
    {
        SourceStatus.Timeout => $"The {Source} service timed out: {Detail}.",
        SourceStatus.Rejected => $"The {Source} service is saturated: {Detail}.",
        _ => $"The {Source} service failed: {Detail}.",
    };
}
