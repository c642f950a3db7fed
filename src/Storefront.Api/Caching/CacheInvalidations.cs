using Storefront.Api.Data;

namespace Storefront.Api.Caching;

/// <summary>
/// Tells the other instances which keys a write made stale, one message per key on a <see cref="RedisBroadcast"/>.
/// HybridCache cannot: another instance reads a tag's invalidation time from Redis once and keeps it, so its local
/// level would serve the old value until it expires (measured). Pub/sub is fire-and-forget: a lost message leaves
/// that instance stale for at most LocalTtlMs, since the writer also deletes the keys from Redis.
/// </summary>
public sealed class CacheInvalidations
{
    private readonly RedisBroadcast _channel;
    private readonly RedisLevel _redis;

    public CacheInvalidations(RedisConnection connection, RedisLevel redis)
    {
        _channel = new RedisBroadcast(connection, "storefront:cache:invalidate");
        _redis = redis;
        Listening = _channel.ListenAsync(key => Received?.Invoke(key));
    }

    /// <summary>Raised with each key another instance invalidated.</summary>
    public event Action<string>? Received;

    /// <summary>Completes once the first attempt to subscribe has finished, whether or not Redis answered.</summary>
    public Task Listening { get; }

    public async ValueTask PublishAsync(IReadOnlyList<string> keys)
    {
        if (!_channel.IsConfigured) return;
        foreach (var key in keys)
            await _redis.CallAsync(m => _channel.PublishAsync(m, key), CancellationToken.None);
    }
}
