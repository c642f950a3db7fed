namespace Storefront.Api.Live;

/// <summary>
/// What other features use to tell /ws/stock subscribers (on every instance) about a stock level they have committed:
/// orders reserving or returning units, an admin setting the stock.
/// </summary>
public interface IStockPublisher
{
    /// <summary>Publishes the item's committed stock level; call after the commit, never inside the transaction.</summary>
    ValueTask PublishAsync(int itemId, decimal? price, int inStock);
}

internal sealed class StockPublisher(StockBus bus, TimeProvider time) : IStockPublisher
{
    public ValueTask PublishAsync(int itemId, decimal? price, int inStock) =>
        bus.PublishAsync(new StockUpdate(itemId, price, inStock, time.GetUtcNow().UtcDateTime));
}
