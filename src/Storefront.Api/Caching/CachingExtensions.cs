using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Trace;
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
        services.AddOptions<CachingOptions>().BindConfiguration(CachingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<CacheStatistics>();
        services.AddObservableMetrics<CacheMetrics>();
        services.AddSingleton<ICacheStore>(sp =>
        {
            var redis = sp.GetRequiredService<RedisConnection>();
            return redis.IsConfigured
                ? new RedisCacheStore(redis, sp.GetRequiredService<IOptions<CachingOptions>>(), sp.GetRequiredService<ILogger<RedisCacheStore>>())
                : new MemoryCacheStore();
        });
        // A span per Redis command, when tracing is on (Diagnostics/Telemetry).
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing
            // Commands are recorded by the client's profiler and turned into spans in batches: every second, not 10.
            .AddRedisInstrumentation(o => o.FlushInterval = TimeSpan.FromSeconds(1))
            .ConfigureRedisInstrumentation((sp, instrumentation) =>
            {
                if (sp.GetRequiredService<ICacheStore>() is RedisCacheStore redis)
                    _ = redis.WhenConnectedAsync(connection => instrumentation.AddConnection(connection));
            }));
        services.AddSingleton<CacheAside>();
        services.AddSingleton<CatalogSummaries>();
        services.AddSingleton<ICatalogChangeListener, CatalogSummaryInvalidation>();
        services.AddJsonTypes(CachingJsonContext.Default);
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

/// <summary>Cache outcomes for /metrics.</summary>
public sealed class CacheMetrics
{
    public CacheMetrics(CacheStatistics statistics, ICacheStore store, IMeterFactory meters)
    {
        var meter = meters.Create("Storefront.Cache");
        meter.CreateObservableCounter("storefront.cache.lookups", () => new[]
        {
            new Measurement<long>(statistics.Hits, new KeyValuePair<string, object?>("outcome", "hit")),
            new Measurement<long>(statistics.Misses, new KeyValuePair<string, object?>("outcome", "miss")),
            new Measurement<long>(statistics.Bypasses, new KeyValuePair<string, object?>("outcome", "bypass")),
        }, null, "Cached-endpoint lookups by outcome");
        meter.CreateObservableCounter("storefront.cache.computations", () => statistics.Computations, null,
            "Values computed from the source (single flight: one per key per miss wave)");
        meter.CreateObservableGauge("storefront.cache.available", () => store.IsAvailable ? 1 : 0, null,
            "1 while the cache store answers, 0 during an outage");
    }
}
