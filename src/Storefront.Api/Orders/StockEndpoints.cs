using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Storefront.Api.Accounts;
using Storefront.Api.Catalog;
using Storefront.Api.Data;
using Storefront.Api.Http;
using Storefront.Api.Live;

namespace Storefront.Api.Orders;

/// <summary>PUT /items/{item_id}/stock: an admin's count of the units available, the one write of stock besides orders and inventory events.</summary>
public static class StockEndpoints
{
    public static RouteHandlerBuilder MapStock(this IEndpointRouteBuilder app) =>
        app.MapPut("/items/{item_id}/stock", SetStock).WithTags("Orders").WithValidation()
            .RequireAuthorization(AccountsExtensions.AdminPolicy).WithRequestDeadline()
            .WithName("SetItemStock").WithSummary("Set an item's units available (admins: Accounts__Admins)")
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Results<Ok<StockResponse>, ProblemHttpResult, ValidationProblem>> SetStock(
        [AsParameters] ItemRoute route, StockRequest request, StorefrontDbContext db, IStockPublisher stock, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var itemId = route.ItemId;
        var price = await db.Items.Where(i => i.Id == itemId).Select(i => (decimal?)i.Price).FirstOrDefaultAsync(cancellationToken);
        if (price is null) return Problems.NotFound($"Item {itemId} does not exist.");
        var inStock = request.InStock!.Value;
        await StockLedger.SetAsync(db, itemId, inStock, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
        await stock.PublishAsync(itemId, price, inStock);
        return TypedResults.Ok(new StockResponse(itemId, inStock));
    }
}
