using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;
using Storefront.Api.Accounts;
using Storefront.Api.Data;
using Storefront.Api.Http;
using Storefront.Api.RateLimits;

namespace Storefront.Api.Catalog;

/// <summary>The item CRUD (docs/seeds.md).</summary>
public static class CatalogEndpoints
{
    /// <summary>GET /items?q= per client address (RateLimits__SearchPermits): a search costs more than a page.</summary>
    public const string SearchPolicy = "search";

    public static RouteGroupBuilder MapCatalog(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/items").WithTags("Catalog").WithValidation();
        group.MapGet("", ListItems).RequireRateLimiting(SearchPolicy)
            .ProducesProblem(StatusCodes.Status429TooManyRequests).ProducesProblem(StatusCodes.Status504GatewayTimeout)
            .WithSummary("List, search and sort items, in keyset pages");
        group.MapGet("/{item_id}", GetItem).WithSummary("Get one item");
        // Reads are public; writes need catalog staff (the catalog or admin role, granted by an operator) in every
        // environment. Reads are one query under the database's command timeout; writes (write + cache invalidation)
        // also carry the request deadline.
        group.MapPost("", CreateItem).RequireAuthorization(Roles.CatalogPolicy).WithRequestDeadline()
            .WithLocation(StatusCodes.Status201Created, "The new item").WithSummary("Create an item (roles: admin or catalog)");
        group.MapPut("/{item_id}", UpdateItem).RequireAuthorization(Roles.CatalogPolicy).WithRequestDeadline().WithSummary("Replace an item (roles: admin or catalog)");
        group.MapDelete("/{item_id}", DeleteItem).RequireAuthorization(Roles.CatalogPolicy).WithRequestDeadline().WithSummary("Delete an item (roles: admin or catalog)");
        return group;
    }

    private static async Task<Results<JsonOk<ItemListResponse>, ValidationProblem, ProblemHttpResult>> ListItems(
        [AsParameters] ItemListQuery query, ItemPages pages, IOptions<CatalogOptions> options, System.Security.Claims.ClaimsPrincipal user,
        CancellationToken cancellationToken)
    {
        // Validation has read the cursor already; read again here rather than keep state on the query record.
        ItemCursor? after = null;
        if (query.After is not null) ItemCursor.TryRead(query.After, query, out after, out _);
        // A search has a statement timeout of its own: cancelling the command stops it in the database too.
        using var deadline = query.Search is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline?.CancelAfter(options.Value.SearchTimeoutMs);
        var token = deadline?.Token ?? cancellationToken;
        try
        {
            var freshness = ReadFreshnessRules.For(user);
            var page = await pages.ReadAsync(query, after, freshness, token);
            ItemTotal? total = query.WantsTotal ? await pages.CountAsync(query, freshness, token) : null;
            return JsonOk.Of(new ItemListResponse(page.Items, page.Next?.Write(query), total?.Count,
                total?.IsEstimate, query.Skip, query.Limit));
        }
        catch (Exception ex) when (ex is OperationCanceledException or Npgsql.NpgsqlException or Microsoft.Data.Sqlite.SqliteException
                                   && deadline is { IsCancellationRequested: true } && !cancellationToken.IsCancellationRequested)
        {
            return TypedResults.Problem($"The search took longer than {options.Value.SearchTimeoutMs} ms (Catalog__SearchTimeoutMs); make it narrower.",
                statusCode: StatusCodes.Status504GatewayTimeout);
        }
    }

    /// <summary>Searches only: listing without ?q= is a page of an index and is not limited here.</summary>
    internal static System.Threading.RateLimiting.RateLimitPartition<string> SearchLimit(HttpContext context) =>
        string.IsNullOrEmpty(context.Request.Query["q"])
            ? System.Threading.RateLimiting.RateLimitPartition.GetNoLimiter("not a search")
            : SharedLimits.PerClient(context, SearchPolicy, o => o.SearchPermits);

    // The id is checked here, like the product page's, rather than by ItemRoute: an IValidatable argument adds the
    // validation filter's layer (every argument boxed, the handler awaited through ValueTask<object>) to the hottest
    // read for one comparison. Its raw text ("abc") is still checked by WithValidation's raw input rules.
    private static async Task<Results<JsonOk<ItemDetailResponse>, ProblemHttpResult, ValidationProblem>> GetItem(
        [FromRoute(Name = "item_id")] int itemId, IItemReader items, HttpResponse response, System.Security.Claims.ClaimsPrincipal user,
        CancellationToken cancellationToken)
    {
        if (itemId < 1) return ValidationExtensions.Invalid(ItemRoute.Errors(itemId)!);
        var item = await items.FindAsync(itemId, ReadFreshnessRules.For(user), cancellationToken);
        if (item is null) return Missing(itemId);
        // The item's own version: in_stock is live and versioned by the stock ledger, not by this tag.
        response.Headers.ETag = ItemPreconditions.ETag(item.Version);
        return JsonOk.Of(item.ToResponse());
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

    private static async Task<Results<JsonOk<ItemResponse>, ProblemHttpResult, ValidationProblem>> UpdateItem(
        [AsParameters] ItemRoute route, ItemRequest request, StorefrontDbContext db, CatalogChanges changes, HttpContext context,
        IOptions<CatalogOptions> options, CancellationToken cancellationToken)
    {
        var itemId = route.ItemId;
        var versions = ItemPreconditions.Versions(context.Request);
        if (versions is null && options.Value.RequireIfMatch && !context.Request.Headers.ContainsKey(HeaderNames.IfMatch))
            return ItemPreconditions.Required();
        var replacement = request.ToEntity();
        // One transaction, so the version read back is the one this write made (the response's ETag).
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            var updated = await Matching(db, itemId, versions).ExecuteUpdateAsync(set => set
                .SetProperty(i => i.Name, replacement.Name)
                .SetProperty(i => i.Price, replacement.Price)
                .SetProperty(i => i.Description, replacement.Description)
                .SetProperty(i => i.Version, i => i.Version + 1), cancellationToken);
            if (updated == 0) return await FailureAsync(db, itemId, cancellationToken);
            replacement.Version = await db.Items.Where(i => i.Id == itemId).Select(i => i.Version).FirstAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        await changes.NotifyAsync(new CatalogChange(itemId, replacement.Price), cancellationToken);
        replacement.Id = itemId;
        context.Response.Headers.ETag = ItemPreconditions.ETag(replacement.Version);
        return JsonOk.Of(replacement.ToResponse());
    }

    private static async Task<Results<NoContent, ProblemHttpResult, ValidationProblem>> DeleteItem(
        [AsParameters] ItemRoute route, StorefrontDbContext db, CatalogChanges changes, HttpRequest request,
        IOptions<CatalogOptions> options, CancellationToken cancellationToken)
    {
        var itemId = route.ItemId;
        var versions = ItemPreconditions.Versions(request);
        if (versions is null && options.Value.RequireIfMatch && !request.Headers.ContainsKey(HeaderNames.IfMatch))
            return ItemPreconditions.Required();
        var deleted = await Matching(db, itemId, versions).ExecuteDeleteAsync(cancellationToken);
        if (deleted == 0) return await FailureAsync(db, itemId, cancellationToken);
        await changes.NotifyAsync(new CatalogChange(itemId, Price: null), cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>The item, when its version is one If-Match names (any version without If-Match).</summary>
    private static IQueryable<CatalogItem> Matching(StorefrontDbContext db, int itemId, IReadOnlyList<int>? versions) =>
        versions is null ? db.Items.Where(i => i.Id == itemId) : db.Items.Where(i => i.Id == itemId && versions.Contains(i.Version));

    /// <summary>A conditional write that changed nothing: the item is gone (404) or at another version (412).</summary>
    private static async Task<ProblemHttpResult> FailureAsync(StorefrontDbContext db, int itemId, CancellationToken cancellationToken) =>
        await db.Items.AnyAsync(i => i.Id == itemId, cancellationToken) ? ItemPreconditions.Failed(itemId) : Missing(itemId);

    private static ProblemHttpResult Missing(int itemId) => Problems.NotFound($"Item {itemId} does not exist.");
}

/// <summary>The <c>{item_id}</c> of the item routes.</summary>
public sealed record ItemRoute([FromRoute(Name = "item_id")] int ItemId) : IValidatable
{
    public Dictionary<string, string[]>? Validate() => Errors(ItemId);

    /// <summary>The rule for an item id wherever it is read, with or without this record.</summary>
    internal static Dictionary<string, string[]>? Errors(int itemId) =>
        new ValidationErrors().Check(itemId >= 1, "item_id", "Must be a whole number of 1 or more.").ToDictionary();
}
