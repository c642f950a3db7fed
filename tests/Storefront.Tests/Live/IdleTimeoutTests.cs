using System.Net.WebSockets;
using Storefront.Api.Live;

namespace Storefront.Tests.Live;

[ServerFree]
public sealed class IdleTimeoutTests(ConfiguredFactory<IdleTimeoutTests> factory) : ClientTests<ConfiguredFactory<IdleTimeoutTests>>(factory), IClassFixture<ConfiguredFactory<IdleTimeoutTests>>, IHostSettings
{
    /// <summary>A one-second idle timeout (swept every quarter second), and the webhook on to make a change.</summary>
    public static IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["WebSockets:IdleTimeoutSeconds"] = "1",
        ["Inventory:WebhookSecret"] = InventoryEvents.Secret,
    };



    [Fact]
    public async Task An_echo_socket_without_messages_is_closed_with_1000_idle_timeout()
    {
        await using var socket = await WebSocketClient.ConnectAsync(Client.BaseAddress!, "/ws");
        await socket.SendTextAsync("hello");
        Assert.Equal("Echo: hello", await socket.ReceiveTextAsync());

        // Due about a second after the last message; the bound only has to survive a stalled machine.
        var close = await socket.ReceiveCloseAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(WebSocketCloseStatus.NormalClosure, close.CloseStatus);
        Assert.Equal("idle timeout", close.CloseDescription);
    }

    [Fact]
    public async Task A_quiet_stock_subscriber_is_never_idle_closed()
    {
        var server = Client.BaseAddress!;
        await using var subscriber = await WebSocketClient.ConnectAsync(server, "/ws/stock");
        await subscriber.SendTextAsync("""{"subscribe": [4242]}""");
        Assert.Equal("""{"subscribed":[4242]}""", await subscriber.ReceiveTextAsync());
        // Waiting for a push, as a subscriber does (its pending receive also answers the server's pings).
        var next = subscriber.ReceiveJsonAsync<StockUpdate>(TimeSpan.FromSeconds(60));

        // Echo sockets opened one after the other and idle-closed in turn are the clock: when the second is
        // closed, the subscriber has been quiet for more than two idle timeouts, eight sweeps.
        for (var i = 0; i < 2; i++)
        {
            await using var echo = await WebSocketClient.ConnectAsync(server, "/ws");
            Assert.Equal("idle timeout", (await echo.ReceiveCloseAsync(TimeSpan.FromSeconds(30))).CloseDescription);
        }
        Assert.False(next.IsCompleted, "the subscriber got a message (or a close) while quiet");

        await (await InventoryEvents.PostAsync(Client, InventoryEvents.Event(4242, 7))).ShouldBeJsonAsync(System.Net.HttpStatusCode.Accepted);
        var push = await next;
        Assert.Equal((4242, 7), (push.Id, push.InStock));
    }
}
