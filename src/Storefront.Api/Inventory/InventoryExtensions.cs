using Storefront.Api.Catalog;
using Storefront.Api.Data;
using Storefront.Api.Diagnostics;
using Storefront.Api.Http;

namespace Storefront.Api.Inventory;

/// <summary>
/// Stock has one owner: the item_stock table and its rules (StockLedger), levels from the inventory system and from
/// staff, reservations and releases for orders (<see cref="IStock"/>), and what /ws/stock subscribers are told.
/// </summary>
public static class InventoryExtensions
{
    public static WebApplicationBuilder AddInventory(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<InventoryOptions>(InventoryOptions.Section);
        services.AddJsonTypes(InventoryJsonContext.Default);
        services.AddObservableMetrics<InventoryMetrics>();
        services.AddSingleton<StockLevels>();
        services.AddSingleton<IStock, Stock>();
        services.AddSingleton<ICatalogChangeListener, StockCatalogListener>();
        // After the catalog's sample items (AddCatalog runs first), which it stocks.
        services.AddSingleton<ISampleData, InventorySampleData>();
        return builder;
    }

    public static IEndpointRouteBuilder MapInventory(this IEndpointRouteBuilder app)
    {
        app.MapStock();
        app.MapPost("/inventory/events", InventoryWebhook.ReceiveAsync).WithTags("Inventory")
            .WithRequestBodyLimit(InventoryWebhook.MaxBodyBytes).WithRequestDeadline()
            // A bad or stale signature (401), a delivery applied before (409).
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary($"The warehouse's on-hand counts from the inventory system, signed with {InventoryWebhook.SignatureHeader} (t=..., v1=...)");
        return app;
    }
}
