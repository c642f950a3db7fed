using System.Net.WebSockets;
using System.Threading.Channels;

namespace Storefront.Api.Live;

/// <summary>
/// One /ws/stock socket's outbox and the loop that empties it. What it can hold is bounded: at most
/// <c>SendQueueLimit</c> items waiting (a newer update of an item already waiting replaces it: only the latest
/// matters), and a few answers to the client's own messages. A socket that falls further behind is closed with
/// 1013; one that stops taking frames is dropped by the send deadline (<see cref="LiveSocket.SendAsync"/>).
/// </summary>
internal sealed class StockSubscriber(LiveSocket live, int queueLimit, LiveMetrics metrics, TimeProvider time)
{
    /// <summary>A client that sends this many messages without reading the answers is not reading at all.</summary>
    private const int RepliesLimit = 16;

    private readonly Lock _gate = new();
    private readonly Dictionary<int, StockMessage> _waiting = [];
    private readonly Queue<int> _order = new();
    private readonly Queue<byte[]> _replies = new();
    private readonly Channel<bool> _doorbell = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private bool _behind;
    private bool _done;

    /// <summary>The items this socket follows (read and written by its receive loop only).</summary>
    public HashSet<int> Items { get; } = [];

    public void Offer(StockMessage message)
    {
        lock (_gate)
        {
            if (_done || _behind) return;
            if (_waiting.ContainsKey(message.ItemId))
            {
                _waiting[message.ItemId] = message;
                metrics.Coalesced();
            }
            else if (_waiting.Count >= queueLimit)
            {
                // Too far behind: drop what waits (memory back at once) and close the socket with 1013.
                _behind = true;
                metrics.Dropped(_waiting.Count + 1);
                _waiting.Clear();
                _order.Clear();
            }
            else
            {
                _waiting[message.ItemId] = message;
                _order.Enqueue(message.ItemId);
            }
        }
        _doorbell.Writer.TryWrite(true);
    }

    /// <summary>Queues an answer to the client; false when too many are waiting (the client is not reading).</summary>
    public bool Reply(byte[] utf8Json)
    {
        lock (_gate)
        {
            if (_replies.Count >= RepliesLimit) return false;
            _replies.Enqueue(utf8Json);
        }
        _doorbell.Writer.TryWrite(true);
        return true;
    }

    /// <summary>Ends the send loop once the socket's receive loop has ended.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            _done = true;
            metrics.Dropped(_waiting.Count);
            _waiting.Clear();
            _order.Clear();
        }
        _doorbell.Writer.TryComplete();
    }

    /// <summary>Sends what waits, in order, until <see cref="Complete"/> or the socket ends.</summary>
    public async Task RunAsync()
    {
        try
        {
            while (await _doorbell.Reader.WaitToReadAsync())
            {
                _doorbell.Reader.TryRead(out _);
                while (Next() is { } next)
                {
                    if (next.Behind)
                    {
                        await live.CloseAsync(CloseCodes.TryAgainLater, "too far behind the feed; reconnect", "behind");
                        return;
                    }
                    if (!await live.SendAsync(next.Utf8Json)) return;
                    if (next.Update is { } update)
                        metrics.Delivered(time.GetUtcNow().UtcDateTime - update.PublishedAt);
                    else
                        metrics.MessageOut(LiveEndpoints.StockPath); // An answer to the client's message: a message out like the echo's.
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The socket ended under the send: its receive loop sees that too and cleans up.
        }
    }

    private Outgoing? Next()
    {
        lock (_gate)
        {
            if (_done) return null;
            if (_replies.TryDequeue(out var reply)) return new Outgoing(reply, null, false);
            if (_behind) return new Outgoing([], null, true);
            if (!_order.TryDequeue(out var itemId)) return null;
            _waiting.Remove(itemId, out var message);
            return new Outgoing(message!.Utf8Json, message, false);
        }
    }

    private readonly record struct Outgoing(byte[] Utf8Json, StockMessage? Update, bool Behind);
}
