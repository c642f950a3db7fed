using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using StackExchange.Redis;
using Storefront.Api.Data;

namespace Storefront.Api.Caching;

/// <summary>
/// HybridCache's distributed level: the library's <see cref="RedisCache"/> on the process's one multiplexer, behind the
/// guard HybridCache lacks. Left to itself, HybridCache waits out the multiplexer's 5 s backlog timeout when Redis is
/// down and logs an error per call. Here no command is sent while the multiplexer is disconnected, each call is bounded
/// by RedisTimeoutMs, after a failure Redis is skipped for RedisRetryAfterMs, and a failure reads as a miss (a write
/// as done): one log line when an outage starts, one when it ends. The multiplexer reconnects by itself.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "RedisCache.Dispose would close the shared multiplexer, which RedisConnection owns.")]
public sealed partial class RedisLevel : IDistributedCache
{
    /// <summary>HybridCache finds this level under this key, so nothing else picks it up as "the" IDistributedCache.</summary>
    public const string ServiceKey = "storefront-cache";

    private readonly RedisConnection _connection;
    private readonly TimeProvider _time;
    private readonly ILogger<RedisLevel> _logger;
    private readonly TimeSpan _timeout;
    private readonly long _retryAfterTicks;
    private readonly int _retryAfterMs;

    // Never disposed: its Dispose closes the multiplexer, and that one belongs to RedisConnection.
    private readonly RedisCache _redis;
    private long _skipUntil;
    private int _down;

    public RedisLevel(RedisConnection connection, IOptions<CachingOptions> options, TimeProvider time, ILogger<RedisLevel> logger)
    {
        _connection = connection;
        _time = time;
        _logger = logger;
        _timeout = TimeSpan.FromMilliseconds(options.Value.RedisTimeoutMs);
        _retryAfterMs = options.Value.RedisRetryAfterMs;
        _retryAfterTicks = _retryAfterMs * time.TimestampFrequency / 1000;
        // Asked for the multiplexer only once a call is let through, and a call is only let through once it exists.
        _redis = new RedisCache(Options.Create(new RedisCacheOptions
        {
            ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(connection.Multiplexer!),
        }));
        _ = WatchAsync();
    }

    /// <summary>False while Redis is known to be unreachable (readiness reports the cache as degraded).</summary>
    public bool IsAvailable => _connection.Multiplexer is { IsConnected: true } && Volatile.Read(ref _down) == 0;

    /// <summary>False while calls skip Redis: not connected yet, disconnected, or backing off after a failure.</summary>
    public bool IsUsable =>
        _connection.Multiplexer is { IsConnected: true } && _time.GetTimestamp() >= Volatile.Read(ref _skipUntil);

    public Task<byte[]?> GetAsync(string key, CancellationToken token = default) =>
        CallAsync(_ => _redis.GetAsync(key, token), token);

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        // HybridCache may hand over a pooled array it reuses as soon as this returns; a call given up on at the
        // deadline would still send it later, so it sends a copy.
        var copy = value.AsSpan().ToArray();
        return CallAsync(async _ => { await _redis.SetAsync(key, copy, options, token); return true; }, token);
    }

    public Task RemoveAsync(string key, CancellationToken token = default) =>
        CallAsync(async _ => { await _redis.RemoveAsync(key, token); return true; }, token);

    public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask; // Absolute expiry only: nothing slides.

    /// <summary>Runs one bounded Redis call, or skips it; a failure (or the deadline) starts an outage and yields default.</summary>
    internal async Task<T?> CallAsync<T>(Func<ConnectionMultiplexer, Task<T>> call, CancellationToken token)
    {
        if (!IsUsable || _connection.Multiplexer is not { } multiplexer) return default;
        try
        {
            var result = await call(multiplexer).WaitAsync(_timeout, token);
            Recovered();
            return result;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException or InvalidOperationException)
        {
            Failed(ex.GetType().Name);
            return default;
        }
    }

    // HybridCache calls only the asynchronous members; a blocking call would hold a request thread on Redis.
    public byte[]? Get(string key) => throw new NotSupportedException("Use GetAsync.");

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => throw new NotSupportedException("Use SetAsync.");

    public void Refresh(string key) => throw new NotSupportedException("Use RefreshAsync.");

    public void Remove(string key) => throw new NotSupportedException("Use RemoveAsync.");

    private async Task WatchAsync()
    {
        if (await _connection.WhenStartedAsync() is not { } multiplexer) return;
        multiplexer.ConnectionFailed += (_, e) => Failed(e.Exception?.GetType().Name ?? "connection lost");
        multiplexer.ConnectionRestored += (_, _) => Recovered();
        if (!multiplexer.IsConnected) Failed("not connected");
    }

    private void Failed(string reason)
    {
        Volatile.Write(ref _skipUntil, _time.GetTimestamp() + _retryAfterTicks);
        if (Interlocked.Exchange(ref _down, 1) == 0) LogOutage(_logger, reason, _retryAfterMs);
    }

    private void Recovered()
    {
        if (Interlocked.Exchange(ref _down, 0) == 1) LogRecovered(_logger);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is unavailable ({Reason}); answering from the source until it is back (retry every {RetryMs} ms)")]
    private static partial void LogOutage(ILogger logger, string reason, int retryMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis is reachable again; caching resumed")]
    private static partial void LogRecovered(ILogger logger);
}
