using System.Globalization;
using System.Text;
using System.Text.Json;
using StackExchange.Redis;
using Storefront.Api.Data;

namespace Storefront.Api.Live;

/// <summary>
/// Publishes stock changes: to this instance's subscribers at once, and to the other instances through Redis
/// pub/sub when Redis is configured. Local delivery never waits for Redis, so a Redis outage costs only the
/// other instances' copies (pub/sub keeps nothing: their clients catch up with the next change or a GET).
/// </summary>
internal sealed partial class StockBus
{
    private static readonly TimeSpan RelayTimeout = TimeSpan.FromSeconds(1);

    private readonly StockFeed _feed;
    private readonly RedisConnection _redis;
    private readonly TimeProvider _time;
    private readonly LiveMetrics _metrics;
    private readonly ILogger<StockBus> _logger;
    private readonly RedisBroadcast _channel;
    private int _relayDown;

    public StockBus(StockFeed feed, RedisConnection redis, TimeProvider time, LiveMetrics metrics, ILogger<StockBus> logger)
    {
        _feed = feed;
        _redis = redis;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _channel = new RedisBroadcast(redis, "storefront:stock");
        Listening = _channel.ListenAsync(Relayed, ex => LogRelayDown(_logger, ex.Message));
    }

    /// <summary>Completes once this instance receives the other instances' changes (at once without Redis).</summary>
    public Task Listening { get; }

    public async ValueTask PublishAsync(StockUpdate update)
    {
        var message = new StockMessage(update.Id, JsonSerializer.SerializeToUtf8Bytes(update, LiveJsonContext.Default.StockUpdate),
            _time.GetUtcNow().UtcDateTime);
        _feed.Deliver(message);
        _metrics.Published("local");
        if (!_redis.IsConfigured) return;
        if (_redis.Multiplexer is not { IsConnected: true } multiplexer)
        {
            RelayFailed("not connected");
            return;
        }
        try
        {
            await _channel.PublishAsync(multiplexer, Envelope(message)).WaitAsync(RelayTimeout);
            if (Interlocked.Exchange(ref _relayDown, 0) == 1) LogRelayRestored(_logger);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            RelayFailed(ex.Message);
        }
    }

    private void RelayFailed(string reason)
    {
        _metrics.RelayFailed();
        if (Interlocked.Exchange(ref _relayDown, 1) == 0) LogRelayDown(_logger, reason);
    }

    // "<item id> <published, Unix ms> <json>"
    private static string Envelope(StockMessage message) => string.Create(CultureInfo.InvariantCulture,
        $"{message.ItemId} {new DateTimeOffset(message.PublishedAt).ToUnixTimeMilliseconds()} {Encoding.UTF8.GetString(message.Utf8Json)}");

    private void Relayed(string relayed)
    {
        var parts = relayed.Split(' ', 3);
        if (parts is not [var id, var published, var json]) return;
        if (!int.TryParse(id, CultureInfo.InvariantCulture, out var itemId) || !long.TryParse(published, CultureInfo.InvariantCulture, out var ms)) return;
        _feed.Deliver(new StockMessage(itemId, Encoding.UTF8.GetBytes(json), DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime));
        _metrics.Published("relayed");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stock changes are not reaching other instances: Redis publish failed ({Reason}); local subscribers still get them")]
    private static partial void LogRelayDown(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stock changes reach other instances again through Redis")]
    private static partial void LogRelayRestored(ILogger logger);
}
