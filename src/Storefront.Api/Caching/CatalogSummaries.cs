using System.Text.Json;
using Storefront.Api.Catalog;

namespace Storefront.Api.Caching;

public sealed record DataSummary(int Items, decimal AvgPrice);

public sealed record CatalogSummary(int TotalItems, decimal MinPrice, decimal MaxPrice, decimal AvgPrice, DateTimeOffset ComputedAt);

/// <summary>The cached values, computed from the catalog on a miss and kept as ready-to-send JSON bytes.</summary>
public sealed class CatalogSummaries(ICatalogStatistics statistics, TimeProvider clock)
{
    /// <summary>The key behind /cached-data, the original API's (docs/seeds.md).</summary>
    public const string DataKey = "data";
    public const string ExpensiveKey = "expensive-endpoint";

    /// <summary>What a catalog write makes stale.</summary>
    public static readonly IReadOnlyList<string> CatalogKeys = [DataKey, ExpensiveKey];

    public async Task<byte[]> ComputeDataAsync(CancellationToken cancellationToken)
    {
        var figures = await statistics.ComputeAsync(cancellationToken);
        return JsonSerializer.SerializeToUtf8Bytes(new DataSummary(figures.Count, figures.Average), CachingJsonContext.Default.DataSummary);
    }

    public async Task<byte[]> ComputeExpensiveAsync(CancellationToken cancellationToken)
    {
        var figures = await statistics.ComputeAsync(cancellationToken);
        return JsonSerializer.SerializeToUtf8Bytes(
            new CatalogSummary(figures.Count, figures.Min, figures.Max, figures.Average, clock.GetUtcNow()),
            CachingJsonContext.Default.CatalogSummary);
    }
}

/// <summary>Catalog writes make the summaries stale, here and (through CacheAside's invalidation) on every instance.</summary>
internal sealed class CatalogSummaryInvalidation(CacheAside cache) : ICatalogChangeListener
{
    public ValueTask CatalogChangedAsync(CatalogChange change, CancellationToken cancellationToken) => cache.InvalidateAsync(CatalogSummaries.CatalogKeys);
}
