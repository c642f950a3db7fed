using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Storefront.Api.Data;
using Storefront.Api.Http;

namespace Storefront.Api.Caching;

public sealed record DataSummary(int Items, decimal AvgPrice);

public sealed record CatalogSummary(int TotalItems, decimal MinPrice, decimal MaxPrice, decimal AvgPrice, DateTimeOffset ComputedAt);

/// <summary>The cached values, computed from the catalog on a miss and kept as ready-to-send JSON bytes.</summary>
public sealed class CatalogSummaries(IServiceScopeFactory scopes, TimeProvider clock)
{
    /// <summary>The seed's key for /cached-data.</summary>
    public const string DataKey = "data";
    public const string ExpensiveKey = "expensive-endpoint";

    /// <summary>What a catalog write makes stale.</summary>
    public static readonly IReadOnlyList<string> CatalogKeys = [DataKey, ExpensiveKey];

    public async Task<byte[]> ComputeDataAsync(CancellationToken cancellationToken)
    {
        var (count, average, _, _) = await AggregateAsync(cancellationToken);
        return JsonSerializer.SerializeToUtf8Bytes(new DataSummary(count, average), AppJsonContext.Default.DataSummary);
    }

    public async Task<byte[]> ComputeExpensiveAsync(CancellationToken cancellationToken)
    {
        var (count, average, min, max) = await AggregateAsync(cancellationToken);
        return JsonSerializer.SerializeToUtf8Bytes(new CatalogSummary(count, min, max, average, clock.GetUtcNow()),
            AppJsonContext.Default.CatalogSummary);
    }

    private async Task<(int Count, decimal Average, decimal Min, decimal Max)> AggregateAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorefrontDbContext>();
        // One round trip for all four figures.
        // At most one row (none for an empty catalog), so no FirstOrDefault and its ordering warning.
        var figures = (await db.Items.GroupBy(_ => 1).Select(g => new
        {
            Count = g.Count(),
            Average = g.Average(i => i.Price),
            Min = g.Min(i => i.Price),
            Max = g.Max(i => i.Price),
        }).ToListAsync(cancellationToken)).SingleOrDefault();
        return figures is null ? (0, 0m, 0m, 0m) : (figures.Count, decimal.Round(figures.Average, 2), figures.Min, figures.Max);
    }
}
