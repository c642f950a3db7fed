using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Storefront.Api.Caching;
using Storefront.Api.Data;
using Storefront.Api.Http;

namespace Storefront.Api.Catalog;

/// <summary>The seed's Item CRUD.</summary>
public static class CatalogEndpoints
{
    public static RouteGroupBuilder MapCatalog(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/items").WithTags("Catalog").WithValidation();
        group.MapGet("", ListItems).WithSummary("List items, oldest first");
        group.MapGet("/{item_id}", GetItem).WithSummary("Get one item");
        // Reads are public; writes need a bearer token (POST /token). Reads are one query under the database's
        // command timeout; writes (write + cache invalidation) also carry the request deadline.
        group.MapPost("", CreateItem).RequireAuthorization().WithRequestDeadline().WithSummary("Create an item");
        group.MapPut("/{item_id}", UpdateItem).RequireAuthorization().WithRequestDeadline().WithSummary("Replace an item");
        group.MapDelete("/{item_id}", DeleteItem).RequireAuthorization().WithRequestDeadline().WithSummary("Delete an item");
        return group;
    }

    private static async Task<Results<Ok<ItemListResponse>, ValidationProblem>> ListItems(
        [AsParameters] ItemListQuery query, StorefrontDbContext db, CancellationToken cancellationToken)
    {
        var total = await db.Items.CountAsync(cancellationToken);
        var items = await db.Items.OrderBy(i => i.Id).Skip(query.Skip).Take(query.Limit)
            .Select(i => new ItemResponse(i.Id, i.Name, i.Price, i.Description))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new ItemListResponse(items, total, query.Skip, query.Limit));
    }

    private static async Task<Results<Ok<ItemResponse>, ProblemHttpResult, ValidationProblem>> GetItem(
        [FromRoute(Name = "item_id")] int itemId, IItemReader items, CancellationToken cancellationToken)
    {
        if (itemId < 1) return InvalidId();
        var item = await items.FindAsync(itemId, cancellationToken);
        return item is null ? Missing(itemId) : TypedResults.Ok(item);
    }

    private static async Task<Created<ItemResponse>> CreateItem(
        ItemRequest request, StorefrontDbContext db, CacheAside cache, CancellationToken cancellationToken)
    {
        var item = request.ToEntity();
        db.Items.Add(item);
        await db.SaveChangesAsync(cancellationToken);
        await cache.InvalidateAsync(CatalogSummaries.CatalogKeys);
        return TypedResults.Created($"/items/{item.Id}", item.ToResponse());
    }

    private static async Task<Results<Ok<ItemResponse>, ProblemHttpResult, ValidationProblem>> UpdateItem(
        [FromRoute(Name = "item_id")] int itemId, ItemRequest request, StorefrontDbContext db, CacheAside cache,
        CancellationToken cancellationToken)
    {
        if (itemId < 1) return InvalidId();
        var replacement = request.ToEntity();
        var updated = await db.Items.Where(i => i.Id == itemId).ExecuteUpdateAsync(set => set
            .SetProperty(i => i.Name, replacement.Name)
            .SetProperty(i => i.Price, replacement.Price)
            .SetProperty(i => i.Description, replacement.Description), cancellationToken);
        if (updated == 0) return Missing(itemId);
        await cache.InvalidateAsync(CatalogSummaries.CatalogKeys);
        replacement.Id = itemId;
        return TypedResults.Ok(replacement.ToResponse());
    }

    private static async Task<Results<NoContent, ProblemHttpResult, ValidationProblem>> DeleteItem(
        [FromRoute(Name = "item_id")] int itemId, StorefrontDbContext db, CacheAside cache, CancellationToken cancellationToken)
    {
        if (itemId < 1) return InvalidId();
        var deleted = await db.Items.Where(i => i.Id == itemId).ExecuteDeleteAsync(cancellationToken);
        if (deleted == 0) return Missing(itemId);
        await cache.InvalidateAsync(CatalogSummaries.CatalogKeys);
        return TypedResults.NoContent();
    }

    private static ValidationProblem InvalidId() => Problems.Invalid("item_id", "Must be a whole number of 1 or more.");

    private static ProblemHttpResult Missing(int itemId) => Problems.NotFound($"Item {itemId} does not exist.");
}

/// <summary>Paging for GET /items, with the seed's bounds.</summary>
public sealed record ItemListQuery(int Skip = 0, int Limit = 10) : IValidatable
{
    public const int MaxLimit = 100;

    public Dictionary<string, string[]>? Validate() => new ValidationErrors()
        .Check(Skip >= 0, "skip", "Must be 0 or more.")
        .Check(Limit is >= 1 and <= MaxLimit, "limit", $"Must be between 1 and {MaxLimit}.")
        .ToDictionary();
}
