using Storefront.Api.Accounts;
using Storefront.Api.Catalog;
using Storefront.Api.Data;
using Storefront.Api.Http;
using Storefront.Api.Live;

namespace Storefront.Api.Inventory;

/// <summary>
/// PUT /items/{item_id}/stock: staff's count of the units on hand, the one level besides the inventory system's. Like
/// the webhook's, it sets on_hand only: units confirmed orders hold stay reserved, so a count never sells them twice.
/// </summary>
public static class StockEndpoints
{
    public static RouteHandlerBuilder MapStock(this IEndpointRouteBuilder app) =>
        app.MapPut("/items/{item_id}/stock", SetStock).WithTags("Inventory").WithValidation()
            .RequireAuthorization(Roles.CatalogPolicy).WithRequestDeadline()
            .WithName("SetItemStock").WithSummary("Set an item's units on hand (roles: admin or catalog); orders' reservations stay")
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Results<JsonOk<StockResponse>, ProblemHttpResult, ValidationProblem>> SetStock(
        [AsParameters] ItemRoute route, StockRequest request, StorefrontDbContext db, IItemReader items, IStockPublisher publisher,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var itemId = route.ItemId;
        if (await items.FindAsync(itemId, cancellationToken) is not { } item) return Problems.NotFound($"Item {itemId} does not exist.");
        var onHand = request.InStock!.Value;
        var available = await StockLedger.SetOnHandAsync(db, itemId, onHand, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
        // Committed (one statement): published even if the client hangs up now.
        await publisher.PublishAsync(itemId, item.Price, available);
        var level = await StockLedger.LevelAsync(db, itemId, CancellationToken.None);
        return JsonOk.Of(new StockResponse(itemId, level.Available, level.OnHand, level.Reserved));
    }
}
