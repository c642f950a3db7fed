using System.Net.WebSockets;

namespace Storefront.Tests.Live;

/// <summary>WebSockets:MaxConnections counts the sockets of both endpoints; past it the upgrade is refused before the handshake.</summary>
[ServerFree]
public sealed class ConnectionLimitTests
{
    [Fact]
    public async Task Past_the_limit_an_upgrade_gets_503_with_retry_after_and_a_closed_socket_frees_its_place()
    {
        await using var factory = new SqliteStorefrontFactory();
        factory.With("WebSockets:MaxConnections", "2");
        using var client = factory.CreateClient();
        var server = client.BaseAddress!;
        await using var echo = await WebSocketClient.ConnectAsync(server, "/ws");
        await using var stock = await WebSocketClient.ConnectAsync(server, "/ws/stock");

        foreach (var path in new[] { "/ws", "/ws/stock" })
        {
            using var refused = await client.SendAsync(WebSocketClient.UpgradeRequest(path));
            var problem = await refused.ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable);
            Assert.Contains("(2)", problem.Detail, StringComparison.Ordinal);
            Assert.True(refused.Headers.RetryAfter?.Delta is { TotalSeconds: >= 1 }, $"Retry-After: {refused.Headers.RetryAfter}");
        }
        // A WebSocket client sees the same refusal as a failed handshake.
        using (var third = new ClientWebSocket())
        {
            third.Options.CollectHttpResponseDetails = true;
            await Assert.ThrowsAsync<WebSocketException>(() => third.ConnectAsync(WebSocketClient.Address(server, "/ws"), CancellationToken.None));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, third.HttpStatusCode);
        }
        // The sockets that hold the places still work.
        await echo.SendTextAsync("still here");
        Assert.Equal("Echo: still here", await echo.ReceiveTextAsync());

        await echo.CloseAsync();
        // The place comes back when the closed socket's handler has ended, a moment after the close handshake.
        await using var again = await Eventually.ValueAsync(() => WebSocketClient.ConnectAsync(server, "/ws"), _ => true,
            TimeSpan.FromSeconds(30), "a new socket is accepted once one of the two has closed", typeof(WebSocketException));
        await again.SendTextAsync("in");
        Assert.Equal("Echo: in", await again.ReceiveTextAsync());
    }
}
