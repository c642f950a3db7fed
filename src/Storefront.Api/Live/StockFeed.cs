using System.Buffers;

namespace Storefront.Api.Live;

/// <summary>One change, serialized once for every socket that receives it.</summary>
internal sealed record StockMessage(int ItemId, byte[] Utf8Json, DateTime PublishedAt);

/// <summary>
/// This instance's subscriptions: which sockets follow which items, under one lock (subscribing is rare).
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

    /// <summary>
    /// Hands the message to every subscriber of its item. The list is copied under the lock and the hand-over runs
    /// outside it: a subscriber may send on this thread (<see cref="StockSubscriber"/>), and subscribing must not wait.
    /// </summary>
    public int Deliver(StockMessage message)
    {
        StockSubscriber[] snapshot;
        int count;
        lock (_gate)
        {
            if (!_byItem.TryGetValue(message.ItemId, out var subscribers)) return 0;
            count = subscribers.Count;
            snapshot = ArrayPool<StockSubscriber>.Shared.Rent(count);
            subscribers.CopyTo(snapshot);
        }
        try
        {
            for (var i = 0; i < count; i++) snapshot[i].Offer(message);
        }
        finally
        {
            ArrayPool<StockSubscriber>.Shared.Return(snapshot, clearArray: true);
        }
        return count;
    }
}
