using StackExchange.Redis;

namespace Storefront.Api.Data;

/// <summary>
/// The process's one Redis connection (<c>ConnectionStrings__Redis</c>), shared by the cache and the cross-instance
/// messages. Unset, <see cref="IsConfigured"/> is false and every feature keeps to this process. The service starts
/// (and stays up) without Redis: the multiplexer keeps retrying in the background and reconnects by itself.
/// Each user bounds its own calls; the multiplexer's timeouts are only the backstop.
/// With Sentinel (<c>sentinel1:26379,sentinel2:26379,serviceName=mymaster</c>) the multiplexer asks the Sentinels for
/// the master, follows their switch-master announcements to the new one after a failover, and subscribes the
/// pub/sub channels again there. Its first connection needs a Sentinel that answers, so that one is retried here.
/// </summary>
public sealed class RedisConnection : IAsyncDisposable
{
    private static readonly TimeSpan SentinelRetry = TimeSpan.FromSeconds(1);

    private readonly Task<ConnectionMultiplexer>? _connecting;
    private readonly CancellationTokenSource _disposed = new();
    private ConnectionMultiplexer? _multiplexer;

    public RedisConnection(string? configuration)
    {
        if (string.IsNullOrWhiteSpace(configuration)) return;
        var config = ConfigurationOptions.Parse(configuration);
        config.AbortOnConnectFail = false;
        config.ConnectTimeout = Math.Min(config.ConnectTimeout, 2000);
        _connecting = ConnectAsync(config);
    }

    public bool IsConfigured => _connecting is not null;

    /// <summary>The multiplexer once the first connection attempt has finished (connected or still retrying), else null.</summary>
    public ConnectionMultiplexer? Multiplexer => Volatile.Read(ref _multiplexer);

    /// <summary>
    /// Completes with the multiplexer once the first attempt has finished, whether or not Redis answered; null when
    /// no Redis is configured. Features attach their subscriptions and event handlers here.
    /// </summary>
    public async Task<ConnectionMultiplexer?> WhenStartedAsync() => _connecting is null ? null : await _connecting;

    public async ValueTask DisposeAsync()
    {
        await _disposed.CancelAsync();
        ConnectionMultiplexer? multiplexer;
        try
        {
            multiplexer = await WhenStartedAsync();
        }
        catch (OperationCanceledException)
        {
            return; // Sentinel never answered: nothing was connected.
        }
        if (multiplexer is null) return;
        await multiplexer.CloseAsync(allowCommandsToComplete: false);
        multiplexer.Dispose();
    }

    private async Task<ConnectionMultiplexer> ConnectAsync(ConfigurationOptions config)
    {
        var multiplexer = string.IsNullOrEmpty(config.ServiceName)
            ? await ConnectionMultiplexer.ConnectAsync(config)
            : await ConnectThroughSentinelAsync(config);
        Volatile.Write(ref _multiplexer, multiplexer);
        return multiplexer;
    }

    // Without a master from a Sentinel there is no multiplexer to retry with (unlike a plain endpoint), so this loop
    // does it; meanwhile the features work as with Redis down.
    private async Task<ConnectionMultiplexer> ConnectThroughSentinelAsync(ConfigurationOptions config)
    {
        while (true)
        {
            try
            {
                return await ConnectionMultiplexer.ConnectAsync(config.Clone());
            }
            catch (Exception ex) when (ex is RedisConnectionException or RedisException or TimeoutException)
            {
                await Task.Delay(SentinelRetry, _disposed.Token);
            }
        }
    }
}
