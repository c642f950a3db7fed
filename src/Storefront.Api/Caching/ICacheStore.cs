namespace Storefront.Api.Caching;

public enum CacheLookupStatus
{
    Hit,
    Miss,

    /// <summary>The store could not be asked (Redis down or slow): treat as a miss, do not write back.</summary>
    Unavailable,
}

public readonly record struct CacheLookup(CacheLookupStatus Status, byte[]? Value)
{
    public static readonly CacheLookup Missing = new(CacheLookupStatus.Miss, null);
    public static readonly CacheLookup Unavailable = new(CacheLookupStatus.Unavailable, null);

    public static CacheLookup Found(byte[] value) => new(CacheLookupStatus.Hit, value);
}

/// <summary>
/// Where cached bytes live: in this process (the embedded default) or in Redis. Implementations never
/// throw for a store problem and never make a request wait long: they report <see cref="CacheLookupStatus.Unavailable"/>.
/// </summary>
public interface ICacheStore
{
    /// <summary>False while the store is known to be unreachable (readiness reports the cache as degraded).</summary>
    bool IsAvailable { get; }

    /// <summary>True when every instance shares the store (Redis), so a local copy in front of it pays.</summary>
    bool IsShared { get; }

    ValueTask<CacheLookup> GetAsync(string key, CancellationToken cancellationToken);

    ValueTask SetAsync(string key, byte[] value, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>Removes the keys here and tells other instances to drop their local copies.</summary>
    ValueTask RemoveAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken);

    /// <summary>Raised when another instance removed a key, so local copies can be dropped.</summary>
    event Action<string>? RemovedElsewhere;
}
