using System.Net.WebSockets;
using System.Text;

namespace Storefront.Tests.Live;

[ServerFree]
public sealed class EchoTests(ConfiguredFactory<EchoTests> factory) : ClientTests<ConfiguredFactory<EchoTests>>(factory), IClassFixture<ConfiguredFactory<EchoTests>>, IHostSettings
{
    public const int MaxMessageBytes = 1024;

    /// <summary>/ws with a small message limit, so "exactly the limit" and "one byte over" are cheap to send.</summary>
    public static IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["WebSockets:MaxMessageBytes"] = MaxMessageBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };



    [Fact]
    public async Task Every_text_message_is_echoed_in_order()
    {
        await using var socket = await WebSocketClient.ConnectAsync(Client.BaseAddress!, "/ws");
        string[] messages = ["hello", "", "grüße, こんにちは, 🌍🚀", """{"not": "parsed"}""", new string('x', 900)];

        // All sent before any is read: the answers still come one per message, in order.
        foreach (var message in messages) await socket.SendTextAsync(message);
        foreach (var message in messages) Assert.Equal("Echo: " + message, await socket.ReceiveTextAsync());

        await socket.SendTextAsync("one more");
        Assert.Equal("Echo: one more", await socket.ReceiveTextAsync());
        await socket.CloseAsync();
        Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.Socket.CloseStatus);
    }

    [Fact]
    public async Task A_message_of_exactly_the_limit_is_echoed_and_one_byte_more_closes_with_1009()
    {
        await using var socket = await WebSocketClient.ConnectAsync(Client.BaseAddress!, "/ws");
        // Two bytes each in UTF-8: the limit counts bytes, not characters.
        var exactly = new string('é', MaxMessageBytes / 2);
        Assert.Equal(MaxMessageBytes, Encoding.UTF8.GetByteCount(exactly));

        await socket.SendTextAsync(exactly);
        Assert.Equal("Echo: " + exactly, await socket.ReceiveTextAsync());

        await socket.SendTextAsync(exactly + "a");
        var close = await socket.ReceiveCloseAsync();
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, close.CloseStatus);
        Assert.Contains("1024", close.CloseDescription, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_binary_message_closes_with_1003()
    {
        await using var socket = await WebSocketClient.ConnectAsync(Client.BaseAddress!, "/ws");
        await socket.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary);
        Assert.Equal(WebSocketCloseStatus.InvalidMessageType, (await socket.ReceiveCloseAsync()).CloseStatus);
    }

    [Fact]
    public async Task A_text_message_that_is_not_utf8_closes_with_1007()
    {
        await using var socket = await WebSocketClient.ConnectAsync(Client.BaseAddress!, "/ws");
        await socket.SendTextAsync("fine");
        Assert.Equal("Echo: fine", await socket.ReceiveTextAsync());

        // "a", then a lead byte without its continuation byte.
        await socket.SendAsync(new byte[] { 0x61, 0xC3, 0x28 }, WebSocketMessageType.Text);
        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, (await socket.ReceiveCloseAsync()).CloseStatus);
    }

    [Theory]
    [InlineData("/ws")]
    [InlineData("/ws/stock")]
    public async Task A_plain_get_without_the_upgrade_is_400_problem_details(string path)
    {
        var problem = await (await Client.GetAsync(path)).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("WebSocket", problem.Detail, StringComparison.Ordinal);
    }
}
