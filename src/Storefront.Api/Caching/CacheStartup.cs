using Storefront.Api.Data;

namespace Storefront.Api.Caching;

/// <summary>
/// Opens the Redis connection and the invalidation subscription at startup (bounded), so the first requests already
/// hit the cache and no write by another instance goes unheard.
/// </summary>
internal sealed class CacheStartup(RedisConnection connection, CacheInvalidations invalidations) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!connection.IsConfigured) return;
        try
        {
            await invalidations.Listening.WaitAsync(TimeSpan.FromSeconds(3), cancellationToken);
        }
        catch (TimeoutException)
        {
            // Redis is slow or down: start anyway, the multiplexer keeps trying and requests bypass Redis meanwhile.
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
