using Microsoft.Extensions.Options;

namespace Storefront.Api.Caching;

public static class CachingExtensions
{
    public static WebApplicationBuilder AddCaching(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<CacheOptions>().BindConfiguration(CacheOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<CacheStatistics>();
        services.AddSingleton<ICacheStore>(sp =>
        {
            var redis = sp.GetRequiredService<IConfiguration>().GetConnectionString("Redis");
            return string.IsNullOrWhiteSpace(redis)
                ? new MemoryCacheStore()
                : new RedisCacheStore(redis, sp.GetRequiredService<IOptions<CacheOptions>>(), sp.GetRequiredService<ILogger<RedisCacheStore>>());
        });
        services.AddSingleton<CacheAside>();
        services.AddSingleton<CatalogSummaries>();
        services.AddHostedService<CacheStartup>();
        services.AddHealthChecks().AddCheck<CacheHealthCheck>("cache", tags: ["ready"]);
        return builder;
    }
}

/// <summary>Opens the Redis connection at startup (bounded), so the first requests already hit the cache.</summary>
internal sealed class CacheStartup(ICacheStore store) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (store is not RedisCacheStore redis) return;
        try
        {
            await redis.Connected.WaitAsync(TimeSpan.FromSeconds(3), cancellationToken);
        }
        catch (TimeoutException)
        {
            // Redis is slow or down: start anyway, the store keeps trying and requests bypass it meanwhile.
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
