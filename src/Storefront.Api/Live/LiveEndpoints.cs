using System.Buffers;
using System.Net.WebSockets;
using Storefront.Api.Data;
using Storefront.Api.Http;
using Storefront.Api.RateLimits;

namespace Storefront.Api.Live;

/// <summary>The /ws echo (docs/seeds.md) and the live stock feed /ws/stock (what it carries is published by Inventory/).</summary>
public static class LiveEndpoints
{
    public const string EchoPath = "/ws";
    public const string StockPath = "/ws/stock";

    private static readonly byte[] EchoPrefix = "Echo: "u8.ToArray();

    public static IEndpointRouteBuilder MapLive(this IEndpointRouteBuilder app)
    {
        app.MapGet(EchoPath, Echo).WithTags("WebSockets").ProducesHandshakeProblems()
            .WithSummary("WebSocket: every text message m is answered with \"Echo: m\"");
        app.MapGet(StockPath, Stock).WithTags("WebSockets").ProducesHandshakeProblems()
            .WithSummary("WebSocket: send {\"subscribe\": [ids]} / {\"unsubscribe\": [ids]}; receive {id, price, in_stock, at} on every change");
        return app;
    }

    // The upgrade (101), and what Handshake refuses: not an upgrade (400), a foreign Origin (403), a client holding its
    // share of sockets (429), no room or shutting down (503).
    private static RouteHandlerBuilder ProducesHandshakeProblems(this RouteHandlerBuilder builder) =>
        builder.Produces(StatusCodes.Status101SwitchingProtocols).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests).ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    private static Task<Results<EmptyHttpResult, ProblemHttpResult>> Echo(
        HttpContext context, Handshake handshake, LiveSockets sockets, LiveMetrics metrics, IOptions<WebSocketsOptions> options) =>
        RunAsync(context, handshake, sockets, metrics, options.Value, EchoPath, (live, buffer) => EchoLoopAsync(live, buffer, metrics));

    private static Task<Results<EmptyHttpResult, ProblemHttpResult>> Stock(
        HttpContext context, Handshake handshake, LiveSockets sockets, LiveMetrics metrics, IOptions<WebSocketsOptions> options,
        StockFeed feed, StockBus bus, TimeProvider time) =>
        RunAsync(context, handshake, sockets, metrics, options.Value, StockPath, async (live, buffer) =>
        {
            var subscriber = new StockSubscriber(live, options.Value.SendQueueLimit, metrics, time);
            var commands = new StockCommands(feed, bus, options.Value.MaxSubscriptions, sockets);
            try
            {
                return await StockLoopAsync(live, buffer, subscriber, commands, metrics);
            }
            finally
            {
                feed.Unsubscribe(subscriber, subscriber.Items);
                sockets.RemoveSubscriptions(subscriber.Items.Count);
                await subscriber.CompleteAsync();
            }
        });

    /// <summary>
    /// The refusals before the handshake, then one socket's life: its loop, then whatever ended it (client close,
    /// limit, shutdown, lost connection) counted by reason. The socket's place is given back in every case.
    /// </summary>
    private static async Task<Results<EmptyHttpResult, ProblemHttpResult>> RunAsync(
        HttpContext context, Handshake handshake, LiveSockets sockets, LiveMetrics metrics, WebSocketsOptions options,
        string endpoint, Func<LiveSocket, MessageBuffer, Task<Incoming>> loop)
    {
        // Through the trusted-proxy rules (the forwarded address), an IPv6 client by its /64, as the rate limits count.
        var client = SharedLimits.ClientKey(context);
        if (handshake.Refusal(context, client) is { } refusal) return refusal;
        try
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync(handshake.AcceptContext());
            using var live = sockets.Add(socket, endpoint);
            using var buffer = new MessageBuffer(options.MaxMessageBytes);
            try
            {
                await EndAsync(live, buffer, await loop(live, buffer), options.MaxMessageBytes);
            }
            catch (WebSocketException ex) when (ex.WebSocketErrorCode == WebSocketError.Faulted)
            {
                // The runtime's own checks failed the socket (text that is not UTF-8, a malformed frame) after sending its
                // close (1007, 1002). Ending the connection now would race that frame: the client often saw a reset
                // instead. It stays until the client hangs up, CloseTimeoutSeconds at most.
                await WaitForHangUpAsync(options.CloseTimeoutSeconds, context.RequestAborted);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client vanished, stopped answering pings, or was dropped: nothing left to say to it.
            }
            finally
            {
                sockets.Remove(live);
                metrics.Closed(endpoint, live.Stalled ? "stalled" : live.ClosedBecause ?? "lost");
            }
        }
        finally
        {
            sockets.Release(client);
        }
        return TypedResults.Empty;
    }

    private static async Task WaitForHangUpAsync(int seconds, CancellationToken hungUp)
    {
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(seconds), hungUp);
        }
        catch (OperationCanceledException)
        {
            // The client closed the connection.
        }
    }

    private static async Task<Incoming> EchoLoopAsync(LiveSocket live, MessageBuffer buffer, LiveMetrics metrics)
    {
        while (true)
        {
            var incoming = await buffer.ReceiveAsync(live);
            if (incoming != Incoming.Text) return incoming;
            metrics.MessageIn(EchoPath);
            var message = buffer.Message;
            var reply = ArrayPool<byte>.Shared.Rent(EchoPrefix.Length + message.Length);
            try
            {
                EchoPrefix.CopyTo(reply, 0);
                message.Span.CopyTo(reply.AsSpan(EchoPrefix.Length));
                // False: the server is closing it (idle, shutdown) or the client stopped reading.
                if (!await live.SendAsync(reply.AsMemory(0, EchoPrefix.Length + message.Length))) return Incoming.Closed;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(reply);
            }
            metrics.MessageOut(EchoPath);
        }
    }

    private static async Task<Incoming> StockLoopAsync(
        LiveSocket live, MessageBuffer buffer, StockSubscriber subscriber, StockCommands commands, LiveMetrics metrics)
    {
        while (true)
        {
            var incoming = await buffer.ReceiveAsync(live);
            if (incoming != Incoming.Text) return incoming;
            metrics.MessageIn(StockPath);
            var answer = await commands.ApplyAsync(subscriber, buffer.Message);
            live.Subscriptions = subscriber.Items.Count;
            if (!subscriber.Reply(answer))
            {
                await live.CloseAsync(WebSocketCloseStatus.PolicyViolation, "answers are not being read", "not_reading");
                return Incoming.Closed;
            }
        }
    }

    /// <summary>Answers what ended the loop with the matching close, then waits for the client's close frame.</summary>
    private static async Task EndAsync(LiveSocket live, MessageBuffer buffer, Incoming ended, int maxMessageBytes)
    {
        var (status, description, because) = ended switch
        {
            Incoming.Binary => (WebSocketCloseStatus.InvalidMessageType, "text messages only", "binary"),
            Incoming.TooBig => (WebSocketCloseStatus.MessageTooBig, $"messages are limited to {maxMessageBytes} bytes", "too_big"),
            _ => (live.Socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, "", "client"),
        };
        // Closed: the client's close (answered in kind) or the server's own, already sent (this call then does nothing).
        await live.CloseAsync(status, description, because);
        if (live.Socket.State == WebSocketState.CloseSent) await buffer.DrainAsync(live);
    }
}
