using Storefront.Api.Catalog;
using Storefront.Api.Live;

namespace Storefront.Api.Inventory;

/// <summary>Publishes every stored catalog write to the feed, with the item's units available.</summary>
internal sealed partial class StockCatalogListener(StockLevels levels, IStockPublisher publisher, ILogger<StockCatalogListener> logger)
    : ICatalogChangeListener
{
    public async ValueTask CatalogChangedAsync(CatalogChange change, CancellationToken cancellationToken)
    {
        int? available = null;
        try
        {
            // The write is stored: its change goes out even if the client hangs up now.
            available = await levels.AvailableAsync(change.ItemId, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The write succeeded; its update goes out without the stock level rather than not at all.
            LogStockUnknown(logger, change.ItemId, ex.GetType().Name);
        }
        await publisher.PublishAsync(change.ItemId, change.Price, available, change.Deleted);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Item {ItemId}'s stock level could not be read ({Error}); its update goes out without it")]
    private static partial void LogStockUnknown(ILogger logger, int itemId, string error);
}
