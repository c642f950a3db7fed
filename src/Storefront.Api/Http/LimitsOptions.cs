namespace Storefront.Api.Http;

/// <summary>Bounds on what one client can make the server hold: body, headers, time and connections.</summary>
public sealed class LimitsOptions
{
    public const string Section = "Limits";

    /// <summary>Largest request body accepted by default (endpoints such as uploads raise their own).</summary>
    [Range(1024, 1L << 34)]
    public long MaxRequestBodyBytes { get; set; } = 1 << 20;

    [Range(1024, 1 << 20)]
    public int MaxRequestHeadersTotalBytes { get; set; } = 32 * 1024;

    [Range(1, 1_000_000)]
    public int MaxConcurrentConnections { get; set; } = 20_000;

    /// <summary>Deadline for a whole request; /slow allows 30 s, so the default leaves room above that.</summary>
    [Range(1, 3600)]
    public int RequestTimeoutSeconds { get; set; } = 45;

    [Range(1, 600)]
    public int RequestHeadersTimeoutSeconds { get; set; } = 15;
}
