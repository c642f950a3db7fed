using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Storefront.Api.Caching;

public enum CacheOutcome
{
    Hit,
    Miss,

    /// <summary>The store was unavailable: computed from the source and not cached.</summary>
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
/// Cache-aside with single flight: concurrent misses on one key in this instance share one computation.
/// Across instances each may compute once per expiry (no distributed lock: a duplicate computation is
/// cheaper than a lock round trip on every miss). In front of a shared store (Redis) a small local copy
/// serves hot keys for at most LocalTtlMs; invalidations reach other instances by pub/sub.
/// </summary>
public sealed class CacheAside : IDisposable
{
    private static readonly TimeSpan ComputeTimeout = TimeSpan.FromSeconds(30);

    private readonly ICacheStore _store;
    private readonly CacheStatistics _statistics;
    private readonly MemoryCache? _local;
    private readonly TimeSpan _localTtl;
    private readonly ConcurrentDictionary<string, Lazy<Task<CachedValue>>> _flights = new(StringComparer.Ordinal);
    private long _epoch;

    public CacheAside(ICacheStore store, CacheStatistics statistics, IOptions<CachingOptions> options)
    {
        _store = store;
        _statistics = statistics;
        _localTtl = TimeSpan.FromMilliseconds(options.Value.LocalTtlMs);
        if (store.IsShared && options.Value.LocalTtlMs > 0)
            _local = new MemoryCache(new MemoryCacheOptions { SizeLimit = 16L << 20 });
        store.RemovedElsewhere += ForgetLocally;
    }

    public async ValueTask<CachedValue> GetOrCreateAsync(
        string key, TimeSpan ttl, Func<CancellationToken, Task<byte[]>> compute, CancellationToken cancellationToken)
    {
        if (_local is not null && _local.TryGetValue(key, out byte[]? local) && local is not null)
            return Count(new CachedValue(local, CacheOutcome.Hit));

        var flight = _flights.GetOrAdd(key, k => new Lazy<Task<CachedValue>>(() => FlyAsync(k, ttl, compute)));
        try
        {
            // Each caller may give up on its own; the shared computation carries on for the others.
            return Count(await flight.Value.WaitAsync(cancellationToken));
        }
        finally
        {
            if (flight.Value.IsCompleted) _flights.TryRemove(new KeyValuePair<string, Lazy<Task<CachedValue>>>(key, flight));
        }
    }

    /// <summary>Drops the keys here, in the store and (through the store) in other instances' local copies.</summary>
    public async ValueTask InvalidateAsync(IReadOnlyList<string> keys)
    {
        foreach (var key in keys) ForgetLocally(key);
        // Not the request's token: a client that leaves after its write must not leave a stale cache behind.
        await _store.RemoveAsync(keys, CancellationToken.None);
    }

    public void Dispose()
    {
        _store.RemovedElsewhere -= ForgetLocally;
        _local?.Dispose();
    }

    private async Task<CachedValue> FlyAsync(string key, TimeSpan ttl, Func<CancellationToken, Task<byte[]>> compute)
    {
        await Task.Yield(); // Run outside GetOrAdd's factory so the entry exists before anyone can remove it.
        var epoch = Interlocked.Read(ref _epoch);
        using var timeout = new CancellationTokenSource(ComputeTimeout);
        var lookup = await _store.GetAsync(key, timeout.Token);
        if (lookup.Status == CacheLookupStatus.Hit)
        {
            KeepLocally(key, lookup.Value!);
            return new CachedValue(lookup.Value!, CacheOutcome.Hit);
        }

        _statistics.OnComputed();
        var value = await compute(timeout.Token);
        // A write that landed while we computed may have made this value stale: return it, but do not keep it.
        var fresh = Interlocked.Read(ref _epoch) == epoch;
        if (lookup.Status == CacheLookupStatus.Unavailable) return new CachedValue(value, CacheOutcome.Bypass);
        if (fresh)
        {
            await _store.SetAsync(key, value, ttl, timeout.Token);
            KeepLocally(key, value);
        }
        return new CachedValue(value, CacheOutcome.Miss);
    }

    private void KeepLocally(string key, byte[] value) =>
        _local?.Set(key, value, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = _localTtl, Size = value.Length });

    private void ForgetLocally(string key)
    {
        Interlocked.Increment(ref _epoch);
        _local?.Remove(key);
        _flights.TryRemove(key, out _); // Later callers start a fresh computation instead of joining a stale one.
    }

    private CachedValue Count(CachedValue value)
    {
        _statistics.OnLookup(value.Outcome);
        return value;
    }
}

/// <summary>Cache counters, exported by /metrics and read by tests that count computations.</summary>
public sealed class CacheStatistics
{
    private long _hits, _misses, _bypasses, _computations;

    public long Hits => Interlocked.Read(ref _hits);
    public long Misses => Interlocked.Read(ref _misses);
    public long Bypasses => Interlocked.Read(ref _bypasses);
    public long Computations => Interlocked.Read(ref _computations);

    internal void OnComputed() => Interlocked.Increment(ref _computations);

    internal void OnLookup(CacheOutcome outcome)
    {
        switch (outcome)
        {
            case CacheOutcome.Hit: Interlocked.Increment(ref _hits); break;
            case CacheOutcome.Miss: Interlocked.Increment(ref _misses); break;
            default: Interlocked.Increment(ref _bypasses); break;
        }
    }
}
