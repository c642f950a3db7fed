using System.Diagnostics;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Storefront.Api.Data;

namespace Storefront.Api.Caching;

/// <summary>
/// Every Redis call the service makes goes through this adapter. It keeps requests fast while Redis is down:
/// no command is sent while the multiplexer is disconnected, each call is bounded by RedisTimeoutMs, and after
/// a failure Redis is skipped for RedisRetryAfterMs. One log line when an outage starts, one when it ends.
/// The multiplexer reconnects by itself, so the cache comes back without a restart.
/// </summary>
public sealed partial class RedisCacheStore : ICacheStore
{
    private static readonly RedisChannel InvalidationChannel = RedisChannel.Literal("storefront:cache:invalidate");

    private readonly CachingOptions _options;
    private readonly ILogger<RedisCacheStore> _logger;
    private readonly Task<ConnectionMultiplexer> _connecting;
    private readonly string _instanceId = Guid.NewGuid().ToString("N");
    private ConnectionMultiplexer? _multiplexer;
    private long _skipUntil;
    private int _down;
    private int _subscribed;

    /// <param name="connection">A configured connection (the cache is in-process without one).</param>
    public RedisCacheStore(RedisConnection connection, IOptions<CachingOptions> options, ILogger<RedisCacheStore> logger)
    {
        _options = options.Value;
        _logger = logger;
        _connecting = AttachAsync(connection);
    }

    public event Action<string>? RemovedElsewhere;

    public bool IsAvailable => _multiplexer is { IsConnected: true } && Volatile.Read(ref _down) == 0;

    public bool IsShared => true;

    public async ValueTask<CacheLookup> GetAsync(string key, CancellationToken cancellationToken)
    {
        if (Database() is not { } db) return CacheLookup.Unavailable;
        try
        {
            var value = await db.StringGetAsync(key).WaitAsync(TimeSpan.FromMilliseconds(_options.RedisTimeoutMs), cancellationToken);
            Recovered();
            return value.HasValue ? CacheLookup.Found((byte[])value!) : CacheLookup.Missing;
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            Failed(ex);
            return CacheLookup.Unavailable;
        }
    }

    public async ValueTask SetAsync(string key, byte[] value, TimeSpan ttl, CancellationToken cancellationToken)
    {
        if (Database() is not { } db) return;
        try
        {
            await db.StringSetAsync(key, value, ttl).WaitAsync(TimeSpan.FromMilliseconds(_options.RedisTimeoutMs), cancellationToken);
            Recovered();
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            Failed(ex);
        }
    }

    public async ValueTask RemoveAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        if (Database() is not { } db) return;
        try
        {
            var timeout = TimeSpan.FromMilliseconds(_options.RedisTimeoutMs);
            await db.KeyDeleteAsync(keys.Select(k => (RedisKey)k).ToArray()).WaitAsync(timeout, cancellationToken);
            foreach (var key in keys)
                await db.Multiplexer.GetSubscriber().PublishAsync(InvalidationChannel, $"{_instanceId} {key}").WaitAsync(timeout, cancellationToken);
            Recovered();
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            Failed(ex);
        }
    }

    /// <summary>Completes once the first connection attempt has finished, whether or not Redis answered.</summary>
    public Task Connected => _connecting;

    /// <summary>Hands the connection to <paramref name="use"/> once it exists (tracing attaches its profiler to it).</summary>
    public async Task WhenConnectedAsync(Action<IConnectionMultiplexer> use)
    {
        try
        {
            use(await _connecting);
        }
        catch (RedisException)
        {
            // No connection was ever made: nothing to attach to.
        }
    }

    private async Task<ConnectionMultiplexer> AttachAsync(RedisConnection connection)
    {
        var multiplexer = await connection.WhenStartedAsync()
            ?? throw new InvalidOperationException("The Redis cache needs ConnectionStrings__Redis.");
        multiplexer.ConnectionFailed += (_, e) => Failed(e.Exception);
        multiplexer.ConnectionRestored += (_, _) =>
        {
            Recovered();
            _ = SubscribeAsync(multiplexer);
        };
        await SubscribeAsync(multiplexer);
        _multiplexer = multiplexer;
        if (!multiplexer.IsConnected) Failed(null);
        return multiplexer;
    }

    /// <summary>Listens for other instances' invalidations; retried on reconnect if Redis was down at startup.</summary>
    private async Task SubscribeAsync(ConnectionMultiplexer multiplexer)
    {
        if (Volatile.Read(ref _subscribed) == 1 || !multiplexer.IsConnected) return;
        try
        {
            await multiplexer.GetSubscriber().SubscribeAsync(InvalidationChannel, (_, message) =>
            {
                var text = (string?)message;
                var space = text?.IndexOf(' ', StringComparison.Ordinal) ?? -1;
                if (space > 0 && text![..space] != _instanceId) RemovedElsewhere?.Invoke(text[(space + 1)..]);
            });
            Volatile.Write(ref _subscribed, 1);
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            Failed(ex);
        }
    }

    /// <summary>The database to use now, or null to skip Redis (not connected yet, disconnected, or backing off).</summary>
    private IDatabase? Database()
    {
        var multiplexer = _multiplexer;
        if (multiplexer is null || !multiplexer.IsConnected || Stopwatch.GetTimestamp() < Volatile.Read(ref _skipUntil)) return null;
        return multiplexer.GetDatabase();
    }

    private void Failed(Exception? error)
    {
        Volatile.Write(ref _skipUntil, Stopwatch.GetTimestamp() + _options.RedisRetryAfterMs * Stopwatch.Frequency / 1000);
        if (Interlocked.Exchange(ref _down, 1) == 0) LogOutage(_logger, error?.GetType().Name ?? "connection lost", _options.RedisRetryAfterMs);
    }

    private void Recovered()
    {
        if (Interlocked.Exchange(ref _down, 0) == 1) LogRecovered(_logger);
    }

    private static bool IsRedisFailure(Exception ex) =>
        ex is RedisException or TimeoutException or ObjectDisposedException or InvalidOperationException;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is unavailable ({Reason}); answering from the source until it is back (retry every {RetryMs} ms)")]
    private static partial void LogOutage(ILogger logger, string reason, int retryMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis is reachable again; caching resumed")]
    private static partial void LogRecovered(ILogger logger);
}
