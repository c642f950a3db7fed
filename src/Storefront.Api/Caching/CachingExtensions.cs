using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Trace;
using StackExchange.Redis;
using Storefront.Api.Catalog;
using Storefront.Api.Data;
using Storefront.Api.Diagnostics;
using Storefront.Api.Http;

namespace Storefront.Api.Caching;

public static class CachingExtensions
{
    public static WebApplicationBuilder AddCaching(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<CachingOptions>(CachingOptions.Section);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<CacheStatistics>();
        services.AddObservableMetrics<CacheMetrics>();
        services.AddSingleton<RedisLevel>();
        services.AddKeyedSingleton<IDistributedCache>(RedisLevel.ServiceKey, (sp, _) => sp.GetRequiredService<RedisLevel>());
        services.AddSingleton<CacheInvalidations>();
        services.AddHybridCache().AddSerializer<CachedBody, CachedBodySerializer>();
        // Without ConnectionStrings__Redis the library's local level is the whole cache.
        services.AddOptions<HybridCacheOptions>().Configure<RedisConnection>((options, redis) =>
            options.DistributedCacheServiceKey = redis.IsConfigured ? RedisLevel.ServiceKey : null);
        // A span per Redis command, when tracing is on (Diagnostics/Telemetry).
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing
            // Commands are recorded by the client's profiler and turned into spans in batches: every second, not 10.
            .AddRedisInstrumentation(o => o.FlushInterval = TimeSpan.FromSeconds(1))
            .ConfigureRedisInstrumentation((sp, instrumentation) =>
                _ = TraceAsync(sp.GetRequiredService<RedisConnection>(), multiplexer => instrumentation.AddConnection(multiplexer))));
        services.AddSingleton<CacheAside>();
        services.AddSingleton<CatalogSummaries>();
        services.AddSingleton<ICatalogChangeListener, CatalogSummaryInvalidation>();
        services.AddJsonTypes(CachingJsonContext.Default);
        services.AddHostedService<CacheStartup>();
        // A cache outage degrades the service (slower, still correct); it never makes it unready.
        services.AddHealthChecks().AddRedisCheck<CacheAside>("cache", cache => cache.IsShared, cache => cache.IsAvailable,
            "Redis is unreachable; answering from the source.");
        return builder;
    }

    /// <summary>Hands the multiplexer to tracing once it exists.</summary>
    private static async Task TraceAsync(RedisConnection connection, Action<IConnectionMultiplexer> attach)
    {
        try
        {
            if (await connection.WhenStartedAsync() is { } multiplexer) attach(multiplexer);
        }
        catch (RedisException)
        {
            // No connection was ever made: nothing to attach to.
        }
    }
}
