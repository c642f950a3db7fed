using Storefront.Api.Catalog;

namespace Storefront.Api.Live;

/// <summary>Publishes every stored catalog write to the feed, with the item's last known stock level.</summary>
internal sealed partial class StockCatalogListener(StockLevels levels, StockBus bus, TimeProvider time, ILogger<StockCatalogListener> logger)
    : ICatalogChangeListener
{
    public async ValueTask CatalogChangedAsync(CatalogChange change, CancellationToken cancellationToken)
    {
        var at = time.GetUtcNow().UtcDateTime;
        int? inStock = null;
        try
        {
            // The write is stored: its change goes out even if the client hangs up now.
            inStock = await levels.InStockAsync(change.ItemId, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The write succeeded; its update goes out without the stock level rather than not at all.
            LogStockUnknown(logger, change.ItemId, ex.GetType().Name);
        }
        await bus.PublishAsync(new StockUpdate(change.ItemId, change.Price, inStock, at, change.Deleted ? true : null));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Item {ItemId}'s stock level could not be read ({Error}); its update goes out without it")]
    private static partial void LogStockUnknown(ILogger logger, int itemId, string error);
}
