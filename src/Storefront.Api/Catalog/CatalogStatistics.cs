using Microsoft.EntityFrameworkCore;
using Storefront.Api.Data;

namespace Storefront.Api.Catalog;

/// <summary>Figures over the whole catalog (an empty catalog has zeros everywhere).</summary>
public sealed record CatalogFigures(int Count, decimal Average, decimal Min, decimal Max);

/// <summary>The catalog's aggregate query, for features that show or cache figures about it.</summary>
public interface ICatalogStatistics
{
    Task<CatalogFigures> ComputeAsync(CancellationToken cancellationToken);
}

internal sealed class CatalogStatistics(IServiceScopeFactory scopes) : ICatalogStatistics
{
    public async Task<CatalogFigures> ComputeAsync(CancellationToken cancellationToken)
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
        return figures is null
            ? new CatalogFigures(0, 0m, 0m, 0m)
            : new CatalogFigures(figures.Count, decimal.Round(figures.Average, 2), figures.Min, figures.Max);
    }
}
