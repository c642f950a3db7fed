using System.Net.WebSockets;
using System.Text;
using Storefront.Api.Live;

namespace Storefront.Tests.Live;

/// <summary>
/// One client cannot hold every WebSocket place of an instance (a cap per client address, tried
/// from several loopback addresses), the subscriptions of an instance are bounded, and a /ws/stock socket that
/// follows nothing does not stay open for ever.
/// </summary>
public sealed class SocketAbuseTests
{
    [Fact]
    public async Task One_client_address_holds_at_most_its_share_of_sockets_and_others_still_connect()
    {
        await using var host = new SqliteStorefrontFactory();
        host.With("WebSockets:MaxConnectionsPerClient", "2");
        using var client = host.CreateClient();
        var server = client.BaseAddress!;
        await using var held = new Sockets();

        await held.ConnectFromAsync(server, "/ws", "127.0.0.21");
        await held.ConnectFromAsync(server, "/ws/stock", "127.0.0.21");
        await Assert.ThrowsAsync<WebSocketException>(() => held.ConnectFromAsync(server, "/ws", "127.0.0.21"));
        Assert.Equal(HttpStatusCode.TooManyRequests, held.LastStatus);

        // Another address is another client.
        var other = await held.ConnectFromAsync(server, "/ws", "127.0.0.22");
        await other.SendAsync(Encoding.UTF8.GetBytes("hi"), WebSocketMessageType.Text, true, CancellationToken.None);

        // The refusal as an HTTP answer: Problem Details with Retry-After (from 127.0.0.1, which holds none, after filling it).
        await using var third = new Sockets();
        await third.ConnectFromAsync(server, "/ws", "127.0.0.1");
        await third.ConnectFromAsync(server, "/ws", "127.0.0.1");
        using var answer = await client.SendAsync(WebSocketClient.UpgradeRequest("/ws"));
        Assert.Contains("WebSockets__MaxConnectionsPerClient", (await answer.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests)).Detail,
            StringComparison.Ordinal);
        Assert.NotNull(answer.Headers.RetryAfter);
    }

    [Fact]
    public async Task The_subscriptions_of_an_instance_are_capped_and_freed_when_a_socket_ends()
    {
        await using var host = new SqliteStorefrontFactory();
        host.With("WebSockets:MaxInstanceSubscriptions", "3");
        using var client = host.CreateClient();
        var server = client.BaseAddress!;
        var first = await WebSocketClient.ConnectAsync(server, "/ws/stock");
        await using var second = await WebSocketClient.ConnectAsync(server, "/ws/stock");

        await first.SendTextAsync("""{"subscribe": [1, 2]}""");
        Assert.Equal("""{"subscribed":[1,2]}""", await first.ReceiveTextAsync());
        await second.SendTextAsync("""{"subscribe": [3, 4]}""");
        Assert.Contains("WebSockets__MaxInstanceSubscriptions", (await second.ReceiveJsonAsync<StockError>()).Error, StringComparison.Ordinal);
        await second.SendTextAsync("""{"subscribe": [3]}""");
        Assert.Equal("""{"subscribed":[3]}""", await second.ReceiveTextAsync());

        await first.CloseAsync();
        await first.DisposeAsync();
        // The first socket's two come back once its handler has ended, a moment after the close handshake.
        await Eventually.TrueAsync(async () =>
        {
            await second.SendTextAsync("""{"subscribe": [4]}""");
            return (await second.ReceiveTextAsync()) == """{"subscribed":[4]}""";
        }, TimeSpan.FromSeconds(30), "a subscription is accepted again once the first socket has ended");
    }

    [Fact]
    public async Task A_stock_socket_that_follows_nothing_is_closed_when_idle()
    {
        await using var host = new SqliteStorefrontFactory();
        host.With("WebSockets:UnsubscribedIdleSeconds", "1");
        using var client = host.CreateClient();
        await using var idle = await WebSocketClient.ConnectAsync(client.BaseAddress!, "/ws/stock");
        var close = await idle.ReceiveCloseAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(WebSocketCloseStatus.NormalClosure, close.CloseStatus);
        Assert.Equal("idle: no subscriptions", close.CloseDescription);
    }

    /// <summary>WebSockets whose connections come from a chosen loopback address, disposed together.</summary>
    private sealed class Sockets : IAsyncDisposable
    {
        private readonly List<(ClientWebSocket Socket, HttpMessageInvoker Invoker)> _open = [];

        public HttpStatusCode LastStatus { get; private set; }

        public async Task<ClientWebSocket> ConnectFromAsync(Uri server, string path, string address)
        {
            var socket = new ClientWebSocket();
            socket.Options.CollectHttpResponseDetails = true;
            var invoker = new HttpMessageInvoker(LoopbackAddresses.Handler(address));
            _open.Add((socket, invoker));
            try
            {
                using var timeout = new CancellationTokenSource(WebSocketClient.Patience);
                await socket.ConnectAsync(WebSocketClient.Address(server, path), invoker, timeout.Token);
                return socket;
            }
            finally
            {
                LastStatus = socket.HttpStatusCode;
            }
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var (socket, invoker) in _open)
            {
                await WebSocketClient.CloseOutputQuietlyAsync(socket);
                socket.Dispose();
                invoker.Dispose();
            }
            _open.Clear();
        }
    }
}
