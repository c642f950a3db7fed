using System.Threading.RateLimiting;
using StackExchange.Redis;
using Storefront.Api.Data;

namespace Storefront.Api.RateLimits;

/// <summary>A shared fixed window as Redis counted it: this call's count so far and how long the window still runs.</summary>
public readonly record struct WindowCount(long Count, TimeSpan Remaining);

/// <summary>
/// Fixed windows counted in Redis, so every instance draws on one count per key. A request never waits long on Redis:
/// while the multiplexer is disconnected no command is sent, each call is bounded by the caller's timeout, and a
/// failure answers null (the caller counts in this instance instead). One warning when an outage starts, one line
/// when it ends; the multiplexer reconnects by itself.
/// </summary>
public sealed partial class RedisWindows
{
    public const string KeyPrefix = "storefront:ratelimit:";

    // One round trip, atomic: the first increment of a window (or a key that lost its expiry) starts the window.
    private const string IncrementScript = """
        local count = redis.call('INCRBY', KEYS[1], ARGV[1])
        local ttl = redis.call('PTTL', KEYS[1])
        if ttl < 0 then
          ttl = tonumber(ARGV[2])
          redis.call('PEXPIRE', KEYS[1], ttl)
        end
        return {count, ttl}
        """;

    private readonly RedisConnection _connection;
    private readonly TimeProvider _time;
    private readonly ILogger<RedisWindows> _logger;
    private int _down;

    public RedisWindows(RedisConnection connection, TimeProvider time, ILogger<RedisWindows> logger)
    {
        _connection = connection;
        _time = time;
        _logger = logger;
        _ = WatchAsync();
    }

    /// <summary>False without <c>ConnectionStrings__Redis</c>: every instance counts its own.</summary>
    public bool IsConfigured => _connection.IsConfigured;

    /// <summary>False while Redis is known to be unreachable (readiness reports the rate limits as degraded).</summary>
    public bool IsAvailable => !IsConfigured || (IsUsable && Volatile.Read(ref _down) == 0);

    /// <summary>True while calls go to Redis; false while the multiplexer is disconnected (or not there yet).</summary>
    private bool IsUsable => _connection.Multiplexer is { IsConnected: true };

    /// <summary>
    /// <see cref="IsUsable"/>, and when it is not, the outage is noted (logged once) even if the multiplexer has not
    /// told yet: a request counting in this instance is the fallback starting.
    /// </summary>
    public bool CheckUsable()
    {
        if (IsUsable) return true;
        if (IsConfigured) Failed("not connected");
        return false;
    }

    /// <summary>
    /// A limiter for one key: the shared window while Redis answers, <paramref name="window"/>'s limits counted in this
    /// instance while it does not.
    /// </summary>
    public RateLimiter CreateLimiter(string key, FixedWindowRateLimiterOptions window, TimeSpan timeout) =>
        new SharedFixedWindowLimiter(this, KeyPrefix + key, window, timeout, _time);

    /// <summary>Adds <paramref name="permits"/> to the key's window; null when Redis is not usable or did not answer in time.</summary>
    public async Task<WindowCount?> IncrementAsync(string key, int permits, TimeSpan window, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!CheckUsable() || _connection.Multiplexer is not { } multiplexer) return null;
        try
        {
            var reply = await multiplexer.GetDatabase()
                .ScriptEvaluateAsync(IncrementScript, [key], [permits, (long)window.TotalMilliseconds])
                .WaitAsync(timeout, cancellationToken);
            var values = (RedisResult[])reply!;
            Recovered();
            return new WindowCount((long)values[0], TimeSpan.FromMilliseconds((long)values[1]));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException or InvalidOperationException)
        {
            Failed(ex.GetType().Name);
            return null;
        }
    }

    private async Task WatchAsync()
    {
        ConnectionMultiplexer? multiplexer;
        try
        {
            multiplexer = await _connection.WhenStartedAsync();
        }
        catch (RedisException ex)
        {
            Failed(ex.GetType().Name); // No connection was ever made: every call counts in this instance.
            return;
        }
        if (multiplexer is null) return;
        // Only the interactive connection carries these commands; the pub/sub one comes and goes on its own.
        multiplexer.ConnectionFailed += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Interactive) Failed(e.FailureType.ToString());
        };
        multiplexer.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Interactive) Recovered();
        };
        if (multiplexer.IsConnected) Recovered(); // A request before the first connection may have noted an outage.
        else Failed("not connected");
    }

    private void Failed(string reason)
    {
        if (Interlocked.Exchange(ref _down, 1) == 0) LogOutage(_logger, reason);
    }

    private void Recovered()
    {
        if (Interlocked.Exchange(ref _down, 0) == 1) LogRecovered(_logger);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is unavailable ({Reason}); rate limits are counted per instance until it is back")]
    private static partial void LogOutage(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis is reachable again; rate limits are shared across instances again")]
    private static partial void LogRecovered(ILogger logger);
}
