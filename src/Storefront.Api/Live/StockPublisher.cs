namespace Storefront.Api.Live;

/// <summary>
/// How Inventory/ (the one publisher of stock) tells /ws/stock subscribers, on every instance, about a level or a
/// catalog change it has committed. This feature only carries the updates; what they say is Inventory's.
/// </summary>
public interface IStockPublisher
{
    /// <summary>Publishes the item's committed state; call after the commit, never inside the transaction.</summary>
    ValueTask PublishAsync(int itemId, decimal? price, int? inStock, bool deleted = false);
}

internal sealed class StockPublisher(StockBus bus, TimeProvider time) : IStockPublisher
{
    public ValueTask PublishAsync(int itemId, decimal? price, int? inStock, bool deleted = false) =>
        bus.PublishAsync(new StockUpdate(itemId, price, inStock, time.GetUtcNow().UtcDateTime, deleted ? true : null));
}
