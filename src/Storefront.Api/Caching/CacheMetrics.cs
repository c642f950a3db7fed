using System.Diagnostics.Metrics;

namespace Storefront.Api.Caching;

/// <summary>Cache outcomes for /metrics.</summary>
public sealed class CacheMetrics
{
    /// <summary>The instrument names other features read (the dashboard), so they are spelled only here.</summary>
    public static class Names
    {
        public const string Lookups = "storefront.cache.lookups";
    }

    public CacheMetrics(CacheStatistics statistics, CacheAside cache, IMeterFactory meters)
    {
        var meter = meters.Create("Storefront.Cache");
        meter.CreateObservableCounter(Names.Lookups, () => new[]
        {
            new Measurement<long>(statistics.Hits, new KeyValuePair<string, object?>("outcome", "hit")),
            new Measurement<long>(statistics.Misses, new KeyValuePair<string, object?>("outcome", "miss")),
            new Measurement<long>(statistics.Bypasses, new KeyValuePair<string, object?>("outcome", "bypass")),
        }, null, "Cached-endpoint lookups by outcome");
        meter.CreateObservableCounter("storefront.cache.computations", () => statistics.Computations, null,
            "Values computed from the source (stampede protection: one per key per miss wave)");
        meter.CreateObservableGauge("storefront.cache.available", () => cache.IsAvailable ? 1 : 0, null,
            "1 while the cache store answers, 0 during an outage");
    }
}
