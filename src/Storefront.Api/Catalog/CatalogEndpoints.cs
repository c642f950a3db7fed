using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Storefront.Api.Data;
using Storefront.Api.Http;

namespace Storefront.Api.Catalog;

/// <summary>The seed's Item CRUD.</summary>
public static class CatalogEndpoints
{
    public static RouteGroupBuilder MapCatalog(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/items").WithTags("Catalog").WithValidation();
        group.MapGet("", ListItems).WithSummary("List, search and sort items, in keyset pages");
        group.MapGet("/{item_id}", GetItem).WithSummary("Get one item");
        // Reads are public; writes need a bearer token (POST /token). Reads are one query under the database's
        // command timeout; writes (write + cache invalidation) also carry the request deadline.
        group.MapPost("", CreateItem).RequireAuthorization().WithRequestDeadline().WithLocation(StatusCodes.Status201Created, "The new item").WithSummary("Create an item");
        group.MapPut("/{item_id}", UpdateItem).RequireAuthorization().WithRequestDeadline().WithSummary("Replace an item");
        group.MapDelete("/{item_id}", DeleteItem).RequireAuthorization().WithRequestDeadline().WithSummary("Delete an item");
        return group;
    }

    private static async Task<Results<Ok<ItemListResponse>, ValidationProblem>> ListItems(
        [AsParameters] ItemListQuery query, ItemPages pages, CancellationToken cancellationToken)
    {
        // Validation has read the cursor already; read again here rather than keep state on the query record.
        ItemCursor? after = null;
        if (query.After is not null) ItemCursor.TryRead(query.After, query, out after, out _);
        var page = await pages.ReadAsync(query, after, cancellationToken);
        ItemTotal? total = query.WantsTotal ? await pages.CountAsync(query, cancellationToken) : null;
        return TypedResults.Ok(new ItemListResponse(page.Items, page.Next?.Write(query), total?.Count,
            total?.IsEstimate, query.Skip, query.Limit));
    }

    private static async Task<Results<Ok<ItemResponse>, ProblemHttpResult, ValidationProblem>> GetItem(
        [AsParameters] ItemRoute route, IItemReader items, CancellationToken cancellationToken)
    {
        var itemId = route.ItemId;
        var item = await items.FindAsync(itemId, cancellationToken);
        return item is null ? Missing(itemId) : TypedResults.Ok(item);
    }

    private static async Task<Created<ItemResponse>> CreateItem(
        ItemRequest request, StorefrontDbContext db, CatalogChanges changes, CancellationToken cancellationToken)
    {
        var item = request.ToEntity();
        db.Items.Add(item);
        await db.SaveChangesAsync(cancellationToken);
        await changes.NotifyAsync(new CatalogChange(item.Id, item.Price), cancellationToken);
        return TypedResults.Created($"/items/{item.Id}", item.ToResponse());
    }

    private static async Task<Results<Ok<ItemResponse>, ProblemHttpResult, ValidationProblem>> UpdateItem(
        [AsParameters] ItemRoute route, ItemRequest request, StorefrontDbContext db, CatalogChanges changes,
        CancellationToken cancellationToken)
    {
        var itemId = route.ItemId;
        var replacement = request.ToEntity();
        var updated = await db.Items.Where(i => i.Id == itemId).ExecuteUpdateAsync(set => set
            .SetProperty(i => i.Name, replacement.Name)
            .SetProperty(i => i.Price, replacement.Price)
            .SetProperty(i => i.Description, replacement.Description), cancellationToken);
        if (updated == 0) return Missing(itemId);
        await changes.NotifyAsync(new CatalogChange(itemId, replacement.Price), cancellationToken);
        replacement.Id = itemId;
        return TypedResults.Ok(replacement.ToResponse());
    }

    private static async Task<Results<NoContent, ProblemHttpResult, ValidationProblem>> DeleteItem(
        [AsParameters] ItemRoute route, StorefrontDbContext db, CatalogChanges changes, CancellationToken cancellationToken)
    {
        var itemId = route.ItemId;
        var deleted = await db.Items.Where(i => i.Id == itemId).ExecuteDeleteAsync(cancellationToken);
        if (deleted == 0) return Missing(itemId);
        await changes.NotifyAsync(new CatalogChange(itemId, Price: null), cancellationToken);
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult Missing(int itemId) => Problems.NotFound($"Item {itemId} does not exist.");
}

/// <summary>The <c>{item_id}</c> of the item routes.</summary>
public sealed record ItemRoute([FromRoute(Name = "item_id")] int ItemId) : IValidatable
{
    public Dictionary<string, string[]>? Validate() =>
        new ValidationErrors().Check(ItemId >= 1, "item_id", "Must be a whole number of 1 or more.").ToDictionary();
}
