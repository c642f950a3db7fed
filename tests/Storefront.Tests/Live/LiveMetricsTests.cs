using Storefront.Tests.Diagnostics;

namespace Storefront.Tests.Live;

/// <summary>/metrics of a service process of its own, so every figure is exactly this test's traffic.</summary>
public sealed class LiveMetricsTests : IAsyncLifetime
{
    private const string Echo = "/ws";
    private const string Stock = "/ws/stock";

    private LiveService _service = null!;

    public async ValueTask InitializeAsync() => _service = await LiveService.StartAsync();

    public async ValueTask DisposeAsync() => await _service.DisposeAsync();

    [Fact]
    public async Task Metrics_show_open_sockets_messages_refusals_closes_and_deliveries()
    {
        // Scraped before any socket: the gauges are there, at zero.
        var before = await _service.ScrapeAsync();
        Assert.Equal(0, before.Sum("storefront_websockets_open", "storefront_websockets_open", ("endpoint", Echo)));
        Assert.Equal(0, before.Sum("storefront_websockets_open", "storefront_websockets_open", ("endpoint", Stock)));

        await using var echo = await WebSocketClient.ConnectAsync(_service.BaseAddress, Echo);
        for (var i = 0; i < 3; i++)
        {
            await echo.SendTextAsync($"m{i}");
            Assert.Equal($"Echo: m{i}", await echo.ReceiveTextAsync());
        }
        await using (var closed = await WebSocketClient.ConnectAsync(_service.BaseAddress, Echo))
        {
            await closed.CloseAsync();
        }
        await using var stock = await WebSocketClient.ConnectAsync(_service.BaseAddress, Stock);
        await stock.SendTextAsync("""{"subscribe": [1, 2]}""");
        await stock.ReceiveTextAsync();
        await stock.SendTextAsync("nonsense");
        await stock.ReceiveJsonAsync();
        await (await InventoryEvents.PostAsync(_service.Client, InventoryEvents.Event(1, 10))).ShouldBeJsonAsync(HttpStatusCode.Accepted);
        await (await InventoryEvents.PostAsync(_service.Client, InventoryEvents.Batch([InventoryEvents.Event(2, 20), InventoryEvents.Event(3, 30)])))
            .ShouldBeJsonAsync(HttpStatusCode.Accepted);
        await stock.ReceiveJsonAsync();
        await stock.ReceiveJsonAsync();
        using (var refused = await _service.Client.SendAsync(WebSocketClient.UpgradeRequest(Echo, "https://elsewhere.example")))
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        // The closed socket's handler ends a moment after its close handshake.
        var after = await Eventually.ValueAsync(_service.ScrapeAsync,
            m => m.Sum("storefront_websockets_closed_total", "storefront_websockets_closed_total", ("endpoint", Echo)) == 1,
            TimeSpan.FromSeconds(30), "the closed echo socket is counted");
        Assert.Equal(1, Value(after, "storefront_websockets_closed_total", ("endpoint", Echo), ("reason", "client")));
        Assert.Equal(1, Value(after, "storefront_websockets_open", ("endpoint", Echo)));
        Assert.Equal(1, Value(after, "storefront_websockets_open", ("endpoint", Stock)));
        Assert.Equal(3, Value(after, "storefront_websockets_messages_total", ("endpoint", Echo), ("direction", "in")));
        Assert.Equal(3, Value(after, "storefront_websockets_messages_total", ("endpoint", Echo), ("direction", "out")));
        Assert.Equal(2, Value(after, "storefront_websockets_messages_total", ("endpoint", Stock), ("direction", "in")));
        // Out: the answers to both messages and the two pushes.
        Assert.Equal(4, Value(after, "storefront_websockets_messages_total", ("endpoint", Stock), ("direction", "out")));
        Assert.Equal(1, Value(after, "storefront_websockets_refused_total", ("reason", "origin")));
        Assert.Equal(3, Value(after, "storefront_inventory_events_total", ("outcome", "applied")));
        Assert.Equal(3, Value(after, "storefront_stock_published_total", ("source", "local")));
        Assert.Equal(0, Value(after, "storefront_stock_published_total", ("source", "relayed")));
        var delivery = after.Named("storefront_stock_delivery_duration_seconds");
        Assert.Equal("histogram", delivery.Type);
        Assert.Equal(2, delivery.Value("storefront_stock_delivery_duration_seconds_count"));
        Assert.InRange(delivery.Value("storefront_stock_delivery_duration_seconds_sum"), 0, 60);
        Assert.Equal(2, delivery.Value("storefront_stock_delivery_duration_seconds_bucket", ("le", "+Inf")));

        await echo.CloseAsync();
        await stock.CloseAsync();
        var closedAll = await Eventually.ValueAsync(_service.ScrapeAsync,
            m => Value(m, "storefront_websockets_open", ("endpoint", Echo)) == 0 && Value(m, "storefront_websockets_open", ("endpoint", Stock)) == 0,
            TimeSpan.FromSeconds(30), "both gauges back at zero after the clients closed");
        Assert.Equal(1, Value(closedAll, "storefront_websockets_closed_total", ("endpoint", Stock), ("reason", "client")));
        Assert.Equal(2, Value(closedAll, "storefront_websockets_closed_total", ("endpoint", Echo), ("reason", "client")));
    }

    private static double Value(IReadOnlyList<PrometheusText.Family> metrics, string family, params (string, string)[] labels) =>
        metrics.Sum(family, family, labels);
}
