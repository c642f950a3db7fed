using StackExchange.Redis;
using Storefront.Api.Data;

namespace Storefront.Api.Caching;

/// <summary>
/// Tells the other instances which keys a write made stale, by Redis pub/sub on the process's one multiplexer.
/// HybridCache cannot: another instance reads a tag's invalidation time from Redis once and keeps it, so its local
/// level would serve the old value until it expires (measured). Pub/sub is fire-and-forget: a lost message leaves
/// that instance stale for at most LocalTtlMs, since the writer also deletes the keys from Redis.
/// </summary>
public sealed class CacheInvalidations
{
    // One message per key: "{instance} {key}", so an instance can skip its own.
    private static readonly RedisChannel Channel = RedisChannel.Literal("storefront:cache:invalidate");

    private readonly RedisConnection _connection;
    private readonly RedisLevel _redis;
    private readonly string _instanceId = Guid.NewGuid().ToString("N");
    private int _subscribed;

    public CacheInvalidations(RedisConnection connection, RedisLevel redis)
    {
        _connection = connection;
        _redis = redis;
        Listening = connection.IsConfigured ? ListenAsync() : Task.CompletedTask;
    }

    /// <summary>Raised with each key another instance invalidated.</summary>
    public event Action<string>? Received;

    /// <summary>Completes once the first attempt to subscribe has finished, whether or not Redis answered.</summary>
    public Task Listening { get; }

    public async ValueTask PublishAsync(IReadOnlyList<string> keys)
    {
        if (!_connection.IsConfigured) return;
        foreach (var key in keys)
            await _redis.CallAsync(m => m.GetSubscriber().PublishAsync(Channel, $"{_instanceId} {key}"), CancellationToken.None);
    }

    private async Task ListenAsync()
    {
        if (await _connection.WhenStartedAsync() is not { } multiplexer) return;
        // Redis was down at startup: subscribe when it comes back. Once subscribed, the client resubscribes by itself.
        multiplexer.ConnectionRestored += (_, _) => _ = SubscribeAsync(multiplexer);
        await SubscribeAsync(multiplexer);
    }

    private async Task SubscribeAsync(ConnectionMultiplexer multiplexer)
    {
        if (Volatile.Read(ref _subscribed) == 1 || !multiplexer.IsConnected) return;
        try
        {
            await multiplexer.GetSubscriber().SubscribeAsync(Channel, (_, message) =>
            {
                var text = (string?)message;
                var space = text?.IndexOf(' ', StringComparison.Ordinal) ?? -1;
                if (space > 0 && text![..space] != _instanceId) Received?.Invoke(text[(space + 1)..]);
            });
            Volatile.Write(ref _subscribed, 1);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            // Redis went away meanwhile: ConnectionRestored tries again.
        }
    }
}
