namespace Storefront.Api.Live;

/// <summary>One change, serialized once for every socket that receives it.</summary>
internal sealed record StockMessage(int ItemId, byte[] Utf8Json, DateTime PublishedAt);

/// <summary>
/// This instance's subscriptions: which sockets follow which items. Subscribing is rare and delivery is one pass over
/// an item's subscribers handing each the same message, so one lock guards both.
/// </summary>
internal sealed class StockFeed
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, HashSet<StockSubscriber>> _byItem = [];

    public void Subscribe(StockSubscriber subscriber, IEnumerable<int> itemIds)
    {
        lock (_gate)
        {
            foreach (var id in itemIds)
            {
                if (!_byItem.TryGetValue(id, out var subscribers)) _byItem[id] = subscribers = [];
                subscribers.Add(subscriber);
            }
        }
    }

    public void Unsubscribe(StockSubscriber subscriber, IEnumerable<int> itemIds)
    {
        lock (_gate)
        {
            foreach (var id in itemIds)
            {
                if (!_byItem.TryGetValue(id, out var subscribers)) continue;
                subscribers.Remove(subscriber);
                // No empty sets left behind: ids come from clients, and the map must not grow with every id ever named.
                if (subscribers.Count == 0) _byItem.Remove(id);
            }
        }
    }

    /// <summary>Hands the message to every subscriber of its item; each queues it without waiting for its socket.</summary>
    public int Deliver(StockMessage message)
    {
        lock (_gate)
        {
            if (!_byItem.TryGetValue(message.ItemId, out var subscribers)) return 0;
            foreach (var subscriber in subscribers) subscriber.Offer(message);
            return subscribers.Count;
        }
    }
}
