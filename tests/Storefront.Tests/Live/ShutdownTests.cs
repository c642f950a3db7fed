using System.Net.WebSockets;

namespace Storefront.Tests.Live;

[ServerFree]
public sealed class ShutdownTests
{
    [Fact]
    public async Task Stopping_the_host_closes_every_open_socket_with_1001()
    {
        var factory = new SqliteStorefrontFactory();
        try
        {
            using var client = factory.CreateClient();
            await using var echo = await WebSocketClient.ConnectAsync(client.BaseAddress!, "/ws");
            await using var stock = await WebSocketClient.ConnectAsync(client.BaseAddress!, "/ws/stock");
            await echo.SendTextAsync("up");
            Assert.Equal("Echo: up", await echo.ReceiveTextAsync());
            await stock.SendTextAsync("""{"subscribe": [1]}""");
            Assert.Equal("""{"subscribed":[1]}""", await stock.ReceiveTextAsync());

            // Both clients are waiting for their next message when the host stops.
            var echoClose = echo.ReceiveCloseAsync();
            var stockClose = stock.ReceiveCloseAsync();
            var stopping = factory.DisposeAsync().AsTask();

            foreach (var close in new[] { await echoClose, await stockClose })
            {
                Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, close.CloseStatus);
                Assert.Equal("server shutting down", close.CloseDescription);
            }
            // Answered by the clients, the closes let the handlers end and the host finish stopping.
            await stopping.WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            await factory.DisposeAsync();
        }
    }
}
