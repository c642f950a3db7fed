using Microsoft.Extensions.Caching.Memory;

namespace Storefront.Api.Caching;

/// <summary>The embedded default: a size-bounded in-process cache. One instance only, always available.</summary>
public sealed class MemoryCacheStore : ICacheStore, IDisposable
{
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 64L << 20 });

    public bool IsAvailable => true;

    public bool IsShared => false;

    public event Action<string>? RemovedElsewhere { add { } remove { } }

    public ValueTask<CacheLookup> GetAsync(string key, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_cache.TryGetValue(key, out byte[]? value) && value is not null ? CacheLookup.Found(value) : CacheLookup.Missing);

    public ValueTask SetAsync(string key, byte[] value, TimeSpan ttl, CancellationToken cancellationToken)
    {
        _cache.Set(key, value, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = ttl, Size = value.Length });
        return ValueTask.CompletedTask;
    }

    public ValueTask RemoveAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        foreach (var key in keys) _cache.Remove(key);
        return ValueTask.CompletedTask;
    }

    public void Dispose() => _cache.Dispose();
}
