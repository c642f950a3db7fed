using StackExchange.Redis;

namespace Storefront.Api.Data;

/// <summary>
/// The process's one Redis connection (<c>ConnectionStrings__Redis</c>), shared by the cache and the cross-instance
/// messages. Unset, <see cref="IsConfigured"/> is false and every feature keeps to this process. The service starts
/// (and stays up) without Redis: the multiplexer keeps retrying in the background and reconnects by itself.
/// Each user bounds its own calls; the multiplexer's timeouts are only the backstop.
/// </summary>
public sealed class RedisConnection : IAsyncDisposable
{
    private readonly Task<ConnectionMultiplexer>? _connecting;
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
        if (await WhenStartedAsync() is not { } multiplexer) return;
        await multiplexer.CloseAsync(allowCommandsToComplete: false);
        multiplexer.Dispose();
    }

    private async Task<ConnectionMultiplexer> ConnectAsync(ConfigurationOptions config)
    {
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(config);
        Volatile.Write(ref _multiplexer, multiplexer);
        return multiplexer;
    }
}
