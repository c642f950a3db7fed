using System.Net.WebSockets;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Storefront.Api.Diagnostics;
using Storefront.Api.Live;
using Storefront.Tests.Infrastructure;
using Storefront.Tests.Infrastructure.Servers;

namespace Storefront.Tests.Live;

/// <summary>
/// The feed's hand-over to sockets, the outbox of a socket that falls behind and the send deadline, on sockets that
/// record what they are given (no server: the order of events is the test's).
/// </summary>
[ServerFree]
public sealed class StockOutboxTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly ShutdownDrain _drain;
    private readonly LiveSockets _sockets;
    private readonly LiveMetrics _metrics;

    public StockOutboxTests()
    {
        _drain = new ShutdownDrain(Options.Create(new ShutdownOptions()), _time, NullLogger<ShutdownDrain>.Instance);
        _sockets = new LiveSockets(Options.Create(new WebSocketsOptions { SendTimeoutSeconds = 2 }), _time, _drain);
        _metrics = new LiveMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), _sockets);
    }

    [Fact]
    public void A_change_is_serialised_once_and_every_subscriber_is_sent_that_same_buffer_intact()
    {
        var feed = new StockFeed();
        var sockets = Enumerable.Range(0, 50).Select(_ => new RecordingWebSocket()).ToList();
        foreach (var socket in sockets) feed.Subscribe(Subscriber(socket, queueLimit: 4), [7]);
        var message = Message(7, "in_stock 3");

        Assert.Equal(50, feed.Deliver(message));

        foreach (var socket in sockets)
        {
            var sent = Assert.Single(socket.Sent);
            Assert.Equal(message.Utf8Json, sent.Bytes);
            // No copy per socket: the frame was written from the one serialised array.
            Assert.Same(message.Utf8Json, sent.Array);
        }
    }

    [Fact]
    public async Task Behind_a_send_under_way_only_the_latest_update_of_an_item_waits_and_the_rest_follow_in_order()
    {
        var socket = new RecordingWebSocket { Hold = new TaskCompletionSource() };
        var subscriber = Subscriber(socket, queueLimit: 4);

        subscriber.Offer(Message(1, "a"));  // straight to the socket, which does not take it yet
        subscriber.Offer(Message(2, "b1"));
        subscriber.Offer(Message(3, "c"));
        subscriber.Offer(Message(2, "b2")); // replaces b1, keeps item 2's place
        socket.Release();

        await Eventually.TrueAsync(() => Task.FromResult(socket.Sent.Count == 3), TimeSpan.FromSeconds(10), "the waiting updates are sent");
        Assert.Equal("a b2 c", string.Join(" ", socket.Sent.Select(s => Json(s.Bytes))));
        Assert.Null(socket.ClosedWith);
    }

    [Fact]
    public async Task A_subscriber_past_its_queue_limit_drops_what_waits_and_is_closed_with_1013_after_the_send_under_way()
    {
        var socket = new RecordingWebSocket { Hold = new TaskCompletionSource() };
        var subscriber = Subscriber(socket, queueLimit: 2);

        subscriber.Offer(Message(1, "sending"));
        subscriber.Offer(Message(2, "waits"));
        subscriber.Offer(Message(3, "waits"));
        subscriber.Offer(Message(4, "one too many"));
        subscriber.Offer(Message(5, "after"));  // behind already: not kept either
        Assert.Null(socket.ClosedWith);
        socket.Release();

        await Eventually.TrueAsync(() => Task.FromResult(socket.ClosedWith is not null), TimeSpan.FromSeconds(10), "the socket is closed");
        Assert.Equal((WebSocketCloseStatus)1013, socket.ClosedWith);
        Assert.Equal("sending", Json(Assert.Single(socket.Sent).Bytes));
        await subscriber.CompleteAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_send_the_client_does_not_take_is_dropped_by_the_sweep_once_past_the_send_timeout()
    {
        var socket = new RecordingWebSocket { Hold = new TaskCompletionSource() };
        using var live = _sockets.Add(socket, LiveEndpoints.StockPath);

        var send = live.SendAsync("{}"u8.ToArray()).AsTask();
        _time.Advance(TimeSpan.FromSeconds(1.9));
        Assert.False(send.IsCompleted);
        Assert.False(live.Stalled);

        _time.Advance(TimeSpan.FromSeconds(0.6)); // the sweep runs every half second with a 2 s timeout
        Assert.False(await send.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(live.Stalled);
        Assert.True(socket.Aborted);
        _sockets.Remove(live);
    }

    [Fact]
    public async Task A_send_that_completes_in_time_leaves_the_socket_open_however_long_it_then_waits()
    {
        var socket = new RecordingWebSocket();
        using var live = _sockets.Add(socket, LiveEndpoints.StockPath);

        Assert.True(await live.SendAsync("{}"u8.ToArray()));
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.False(live.Stalled);
        Assert.False(socket.Aborted);
        _sockets.Remove(live);
    }

    private StockSubscriber Subscriber(RecordingWebSocket socket, int queueLimit) =>
        new(_sockets.Add(socket, LiveEndpoints.StockPath), queueLimit, _metrics, _time);

    private StockMessage Message(int itemId, string text) =>
        new(itemId, Encoding.UTF8.GetBytes($$"""{"text":"{{text}}"}"""), _time.GetUtcNow().UtcDateTime);

    private static string Json(byte[] bytes) => JsonSerializer.Deserialize<TextMessage>(bytes, HttpAssertions.Answers)!.Text;

    private sealed record TextMessage(string Text);

    public void Dispose()
    {
        _sockets.Dispose();
        _drain.Dispose();
        _services.Dispose();
    }

    /// <summary>Records each frame sent (a copy, and the array it came from); with <see cref="Hold"/> set, sends wait for <see cref="Release"/>.</summary>
    private sealed class RecordingWebSocket : WebSocket
    {
        private readonly Lock _gate = new();
        private readonly List<(byte[] Bytes, byte[]? Array)> _sent = [];
        private WebSocketState _state = WebSocketState.Open;

        public TaskCompletionSource? Hold { get; init; }

        public IReadOnlyList<(byte[] Bytes, byte[]? Array)> Sent
        {
            get
            {
                lock (_gate) return [.. _sent];
            }
        }

        public WebSocketCloseStatus? ClosedWith { get; private set; }

        public bool Aborted { get; private set; }

        public void Release() => Hold!.TrySetResult();

        public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
        {
            var array = MemoryMarshal.TryGetArray(buffer, out var segment) ? segment.Array : null;
            lock (_gate) _sent.Add((buffer.ToArray(), array));
            return Hold is { } hold ? new ValueTask(hold.Task.WaitAsync(cancellationToken)) : default;
        }

        public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
            SendAsync(buffer.AsMemory(), messageType, endOfMessage, cancellationToken).AsTask();

        public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken)
        {
            ClosedWith = closeStatus;
            _state = WebSocketState.CloseSent;
            return Task.CompletedTask;
        }

        public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
            CloseOutputAsync(closeStatus, statusDescription, cancellationToken);

        public override void Abort()
        {
            Aborted = true;
            _state = WebSocketState.Aborted;
        }

        public override Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken) =>
            throw new NotSupportedException("these tests only send");

        public override WebSocketCloseStatus? CloseStatus => null;

        public override string? CloseStatusDescription => null;

        public override WebSocketState State => _state;

        public override string? SubProtocol => null;

        public override void Dispose()
        {
        }
    }
}
