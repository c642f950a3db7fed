namespace Storefront.Api.Caching;

public sealed class CachingOptions
{
    public const string Section = "Caching";

    /// <summary>TTL of the <c>data</c> key behind /cached-data.</summary>
    [Range(1, 86_400)]
    public int DataTtlSeconds { get; set; } = 300;

    /// <summary>TTL of the cached /expensive-endpoint response.</summary>
    [Range(1, 86_400)]
    public int ExpensiveTtlSeconds { get; set; } = 60;

    /// <summary>
    /// How long HybridCache's in-process level keeps a value in front of Redis. Bounds staleness across instances
    /// when an invalidation message is lost (it normally arrives by pub/sub within milliseconds). 0 turns it off.
    /// </summary>
    [Range(0, 60_000)]
    public int LocalTtlMs { get; set; } = 1000;

    /// <summary>Longest a request waits on Redis before answering from the source instead.</summary>
    [Range(10, 10_000)]
    public int RedisTimeoutMs { get; set; } = 250;

    /// <summary>After a Redis failure, how long requests skip Redis before one tries it again.</summary>
    [Range(100, 60_000)]
    public int RedisRetryAfterMs { get; set; } = 1000;
}
