using Microsoft.Extensions.Caching.Hybrid;
using Storefront.Api.Data;

namespace Storefront.Api.Caching;

public enum CacheOutcome
{
    Hit,
    Miss,

    /// <summary>Redis was unavailable: computed from the source and not cached.</summary>
    Bypass,
}

public readonly record struct CachedValue(byte[] Value, CacheOutcome Outcome)
{
    public string Header => Outcome switch
    {
        CacheOutcome.Hit => "HIT",
        CacheOutcome.Miss => "MISS",
        _ => "BYPASS",
    };
}

/// <summary>
/// Cache-aside on HybridCache: its local level, its stampede protection (concurrent misses on one key in this
/// instance share one computation) and Redis as its distributed level (<see cref="RedisLevel"/>). What it lacks stays
/// here: the outcome of each lookup (HIT/MISS/BYPASS), skipping Redis during an outage, refusing to store a
/// computation that overlapped a write, and telling the other instances about writes (<see cref="CacheInvalidations"/>).
/// Across instances each may compute once per expiry: no distributed lock, a duplicate computation is cheaper.
/// </summary>
public sealed class CacheAside
{
    private static readonly TimeSpan ComputeTimeout = TimeSpan.FromSeconds(30);

    // During an outage: no Redis, and nothing kept locally, so the next request looks again instead of hitting a value
    // that was never stored. Values kept locally before the outage are still served.
    private const HybridCacheEntryFlags Bypassing =
        HybridCacheEntryFlags.DisableDistributedCache | HybridCacheEntryFlags.DisableLocalCacheWrite;

    private readonly HybridCache _cache;
    private readonly RedisLevel _redis;
    private readonly CacheInvalidations _invalidations;
    private readonly CacheStatistics _statistics;
    private readonly TimeSpan? _localTtl;
    private readonly HybridCacheEntryFlags _flags;
    private long _epoch;
    private long _produced;

    public CacheAside(HybridCache cache, RedisConnection connection, RedisLevel redis, CacheInvalidations invalidations,
        CacheStatistics statistics, IOptions<CachingOptions> options)
    {
        _cache = cache;
        _redis = redis;
        _invalidations = invalidations;
        _statistics = statistics;
        IsShared = connection.IsConfigured;
        // In front of Redis the local level lives LocalTtlMs (0: none); alone, it is the cache and lives the whole TTL.
        if (IsShared && options.Value.LocalTtlMs == 0) _flags = HybridCacheEntryFlags.DisableLocalCache;
        else if (IsShared) _localTtl = TimeSpan.FromMilliseconds(options.Value.LocalTtlMs);
        invalidations.Received += key => Forget(key);
    }

    /// <summary>True when every instance shares the cache (Redis).</summary>
    public bool IsShared { get; }

    /// <summary>False while Redis is known to be unreachable (readiness reports the cache as degraded).</summary>
    public bool IsAvailable => !IsShared || _redis.IsAvailable;

    public async ValueTask<CachedValue> GetOrCreateAsync(
        string key, TimeSpan ttl, Func<CancellationToken, Task<byte[]>> compute, CancellationToken cancellationToken)
    {
        var arrived = Interlocked.Read(ref _epoch);
        var seen = Interlocked.Read(ref _produced);
        var bypass = IsShared && !_redis.IsUsable;
        var options = new HybridCacheEntryOptions
        {
            Expiration = ttl,
            LocalCacheExpiration = _localTtl ?? ttl,
            Flags = bypass ? _flags | Bypassing : _flags,
        };
        while (true)
        {
            try
            {
                var body = await LookUpAsync(key, options, compute, cancellationToken);
                if (body.Produced <= seen) return Count(new CachedValue(body.Json, CacheOutcome.Hit));
                if (!bypass && IsShared && !_redis.IsUsable)
                {
                    // Redis failed during this lookup and the library kept the value locally all the same: a BYPASS is
                    // stored nowhere, so the next request looks again.
                    await _cache.RemoveAsync(key, CancellationToken.None);
                    bypass = true;
                }
                return Count(new CachedValue(body.Json, bypass ? CacheOutcome.Bypass : CacheOutcome.Miss));
            }
            catch (OverlappedWriteException stale) when (stale.StartedAt >= arrived)
            {
                // A write landed while this was computed: the callers that were waiting get it, nobody stores it.
                var outcome = bypass || (IsShared && !_redis.IsUsable) ? CacheOutcome.Bypass : CacheOutcome.Miss;
                return Count(new CachedValue(stale.Body.Json, outcome));
            }
            catch (OverlappedWriteException)
            {
                // This caller came after the write and joined a computation begun before it: not its value. That
                // computation has left the library's table, so this lookup starts afresh (or joins one begun since).
            }
        }
    }

    /// <summary>Drops the keys here, in Redis and in the other instances' local levels.</summary>
    public async ValueTask InvalidateAsync(IReadOnlyList<string> keys)
    {
        Interlocked.Increment(ref _epoch);
        // Not the request's token: a client that leaves after its write must not leave a stale cache behind.
        foreach (var key in keys)
        {
            // Each entry carries its key as its tag, which dates the invalidation: a value read from Redis or computed
            // before now that lands afterwards is refused. RemoveAsync also deletes it from Redis, so an instance that
            // misses the message cannot read it back from there.
            await _cache.RemoveByTagAsync(key, CancellationToken.None);
            await _cache.RemoveAsync(key, CancellationToken.None);
        }
        await _invalidations.PublishAsync(keys);
    }

    private ValueTask<CachedBody> LookUpAsync(
        string key, HybridCacheEntryOptions options, Func<CancellationToken, Task<byte[]>> compute, CancellationToken cancellationToken)
    {
        // Not the caller's token: with one, the library runs the lookup on the thread pool, outside the request's trace.
        // Each caller still gives up on its own below; the shared lookup carries on for the others.
        var lookup = _cache.GetOrCreateAsync(key, (aside: this, compute), static (state, _) => state.aside.ComputeAsync(state.compute),
            options, [key], CancellationToken.None);
        return lookup.IsCompleted ? lookup : new(lookup.AsTask().WaitAsync(cancellationToken));
    }

    private async ValueTask<CachedBody> ComputeAsync(Func<CancellationToken, Task<byte[]>> compute)
    {
        var startedAt = Interlocked.Read(ref _epoch);
        _statistics.OnComputed();
        using var timeout = new CancellationTokenSource(ComputeTimeout);
        var body = new CachedBody(await compute(timeout.Token), Interlocked.Increment(ref _produced));
        // A write that landed meanwhile may have made this value stale. The library would store it anyway (it re-dates
        // a value whose tag was invalidated during the computation), so the only way to keep it out is to fail.
        if (Interlocked.Read(ref _epoch) != startedAt) throw new OverlappedWriteException(body, startedAt);
        return body;
    }

    /// <summary>Another instance wrote: forget the keys here too.</summary>
    private void Forget(string key)
    {
        Interlocked.Increment(ref _epoch);
        // The library has no local-only invalidation; the invalidation time it writes to Redis again is harmless.
        _ = _cache.RemoveByTagAsync(key, CancellationToken.None).AsTask();
    }

    private CachedValue Count(CachedValue value)
    {
        _statistics.OnLookup(value.Outcome);
        return value;
    }

    /// <summary>How a computation that overlapped a write leaves the library without being stored.</summary>
    private sealed class OverlappedWriteException(CachedBody body, long startedAt) : Exception("A write overlapped the computation.")
    {
        public CachedBody Body { get; } = body;

        public long StartedAt { get; } = startedAt;
    }
}
