using System.Text.Json;

namespace Storefront.Api.Live;

/// <summary>Applies one /ws/stock client message to its socket's subscriptions and words the answer.</summary>
internal sealed class StockCommands(StockFeed feed, StockBus bus, int maxSubscriptions, LiveSockets sockets)
{
    private static readonly TimeSpan ListeningWait = TimeSpan.FromSeconds(2);

    public async Task<byte[]> ApplyAsync(StockSubscriber subscriber, ReadOnlyMemory<byte> message)
    {
        StockCommand? command;
        try
        {
            command = JsonSerializer.Deserialize(message.Span, LiveJsonContext.Default.StockCommand);
        }
        catch (JsonException)
        {
            command = null;
        }
        if (command is null || (command.Subscribe is null && command.Unsubscribe is null))
            return Error("""Send {"subscribe": [item ids]} or {"unsubscribe": [item ids]}.""");
        var subscribe = command.Subscribe?.Distinct().ToArray();
        var unsubscribe = command.Unsubscribe?.Distinct().ToArray();
        if ((subscribe ?? []).Concat(unsubscribe ?? []).Any(id => id < 1)) return Error("Item ids are whole numbers of 1 or more.");

        var items = subscriber.Items;
        if (unsubscribe is not null)
        {
            var removed = unsubscribe.Where(items.Remove).ToList();
            feed.Unsubscribe(subscriber, removed);
            sockets.RemoveSubscriptions(removed.Count);
        }
        if (subscribe is not null)
        {
            var added = subscribe.Where(id => !items.Contains(id)).ToList();
            if (items.Count + added.Count > maxSubscriptions)
                return Error($"A socket follows at most {maxSubscriptions} items (WebSockets__MaxSubscriptions); it follows {items.Count}.");
            if (!sockets.TryAddSubscriptions(added.Count))
                return Error("This instance follows as many items as it allows (WebSockets__MaxInstanceSubscriptions); try again later or elsewhere.");
            items.UnionWith(added);
            feed.Subscribe(subscriber, added);
            // The answer means "from now on you get changes": from other instances too, once Redis listens (bounded wait).
            if (!bus.Listening.IsCompleted) await WaitForListeningAsync();
        }
        return JsonSerializer.SerializeToUtf8Bytes(new StockAck(subscribe, unsubscribe), LiveJsonContext.Default.StockAck);
    }

    private async Task WaitForListeningAsync()
    {
        try
        {
            await bus.Listening.WaitAsync(ListeningWait);
        }
        catch (TimeoutException)
        {
            // Redis is slow to answer: local changes flow already, the others once it does.
        }
    }

    private static byte[] Error(string error) => JsonSerializer.SerializeToUtf8Bytes(new StockError(error), LiveJsonContext.Default.StockError);
}
