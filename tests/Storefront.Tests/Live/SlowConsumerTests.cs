using System.Collections.Concurrent;
using System.Net.WebSockets;
using Storefront.Tests.Diagnostics;
using Storefront.Api.Live;

namespace Storefront.Tests.Live;

/// <summary>
/// /ws/stock clients that stop reading, on service processes of their own (exact /metrics). Changes come as batches of
/// inventory events, one update for every followed item; the first batches only fill the TCP buffers between server
/// and client (about 4 MB on loopback, some 45 batches: the kernel sizes a loopback send buffer for its 64 KB
/// segments), so the tests keep sending until the server reports what it did.
/// </summary>
[Collection(RunAlone.Name)]
public sealed class SlowConsumerTests
{
    private const int Items = 1000; // The default MaxSubscriptions.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_subscriber_too_far_behind_is_closed_with_1013_and_its_waiting_updates_are_dropped()
    {
        await using var service = await LiveService.StartAsync(new Dictionary<string, string>
        {
            ["WebSockets__SendQueueLimit"] = "2",
            // Long enough that only the queue limit can end the socket while the test is not reading.
            ["WebSockets__SendTimeoutSeconds"] = "300",
            ["WebSockets__KeepAliveSeconds"] = "600",
        });
        await using var slow = await SubscribeAllAsync(service);

        var batches = 0;
        await Eventually.TrueAsync(async () =>
        {
            await PostBatchAsync(service, ++batches);
            return await service.ValueAsync("storefront_stock_dropped_total") > 0;
        }, Patience, "the server drops updates for the subscriber that does not read");

        // Reading again, the client gets what was already on its way, then the close.
        var (updates, close) = await DrainAsync(slow);
        Assert.Equal((WebSocketCloseStatus)1013, close.CloseStatus); // Try Again Later.
        Assert.Contains("behind", close.CloseDescription, StringComparison.Ordinal);
        Assert.InRange(updates, 0, batches * Items - 1);

        var metrics = await Eventually.ValueAsync(service.ScrapeAsync,
            m => m.Sum("storefront_websockets_open", "storefront_websockets_open", ("endpoint", "/ws/stock")) == 0,
            TimeSpan.FromSeconds(30), "the closed subscriber's socket is gone");
        Assert.Equal(1, metrics.Sum("storefront_websockets_closed_total", "storefront_websockets_closed_total", ("endpoint", "/ws/stock"), ("reason", "behind")));
        Assert.True(metrics.Sum("storefront_stock_dropped_total", "storefront_stock_dropped_total") > 0);
    }

    [Fact]
    public async Task A_subscriber_that_stops_reading_is_dropped_at_the_send_deadline_while_others_keep_receiving()
    {
        await using var service = await LiveService.StartAsync(new Dictionary<string, string>
        {
            // As many waiting items as followed ones: the queue never overflows, so only the send deadline can act.
            ["WebSockets__SendQueueLimit"] = Items.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["WebSockets__SendTimeoutSeconds"] = "1",
            ["WebSockets__KeepAliveSeconds"] = "600",
        });
        await using var stalled = await SubscribeAllAsync(service);
        // Another subscriber of item 1, reading all along: one update per batch.
        await using var reader = await WebSocketClient.ConnectAsync(service.BaseAddress, "/ws/stock");
        await reader.SendTextAsync("""{"subscribe": [1]}""");
        Assert.Equal("""{"subscribed":[1]}""", await reader.ReceiveTextAsync());
        var levels = new ConcurrentDictionary<int, int>();
        using var stopReading = new CancellationTokenSource();
        var reading = ReadAllAsync(reader, levels, stopReading.Token);

        var batches = 0;
        await Eventually.TrueAsync(async () =>
        {
            await PostBatchAsync(service, ++batches);
            return await service.ValueAsync("storefront_websockets_closed_total", ("reason", "stalled")) > 0;
        }, Patience, "the server drops the subscriber whose sends stopped completing");

        var metrics = await service.ScrapeAsync();
        Assert.Equal(1, metrics.Sum("storefront_websockets_closed_total", "storefront_websockets_closed_total", ("endpoint", "/ws/stock"), ("reason", "stalled")));
        Assert.Equal(1, metrics.Sum("storefront_websockets_open", "storefront_websockets_open", ("endpoint", "/ws/stock")));

        // The reading subscriber was never held up: it sees a change made after the drop.
        await (await InventoryEvents.PostAsync(service.Client, InventoryEvents.Event(1, 999_999))).ShouldBeJsonAsync(HttpStatusCode.Accepted);
        await Eventually.TrueAsync(() => levels.GetValueOrDefault(1) == 999_999, TimeSpan.FromSeconds(30), "the reader gets the change after the drop");
        Assert.False(reading.IsCompleted, "the reading subscriber's socket ended");

        // The stalled one was dropped without a close handshake: what was already sent, then the end of the connection.
        await Assert.ThrowsAsync<WebSocketException>(async () => await DrainAsync(stalled));
        await stopReading.CancelAsync();
        await reading;
    }

    private static async Task<WebSocketClient> SubscribeAllAsync(LiveService service)
    {
        var socket = await WebSocketClient.ConnectAsync(service.BaseAddress, "/ws/stock");
        await socket.SendTextAsync(JsonSerializer.Serialize(new { subscribe = Enumerable.Range(1, Items) }));
        Assert.StartsWith("""{"subscribed":[1,2,3""", await socket.ReceiveTextAsync(), StringComparison.Ordinal);
        return socket;
    }

    /// <summary>One inventory event for every followed item: one update each.</summary>
    private static async Task PostBatchAsync(LiveService service, int level)
    {
        var body = InventoryEvents.Batch(Enumerable.Range(1, Items).Select(id => InventoryEvents.Event(id, level)));
        await (await InventoryEvents.PostAsync(service.Client, body)).ShouldBeJsonAsync(HttpStatusCode.Accepted);
    }

    /// <summary>Reads updates until the server's close; returns how many came before it.</summary>
    private static async Task<(int Updates, WebSocketClient.Received Close)> DrainAsync(WebSocketClient socket)
    {
        var updates = 0;
        while (true)
        {
            var message = await socket.ReceiveAsync();
            if (message.Type == WebSocketMessageType.Close) return (updates, message);
            updates++;
        }
    }

    private static async Task ReadAllAsync(WebSocketClient socket, ConcurrentDictionary<int, int> levels, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var receive = socket.ReceiveJsonAsync<StockUpdate>(TimeSpan.FromMinutes(5));
            try
            {
                var push = await receive.WaitAsync(stop);
                levels[push.Id] = push.InStock ?? throw new Xunit.Sdk.XunitException($"item {push.Id} pushed without a level");
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
