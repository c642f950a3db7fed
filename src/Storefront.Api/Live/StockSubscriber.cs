using System.Net.WebSockets;

namespace Storefront.Api.Live;

/// <summary>
/// One /ws/stock socket's outbox. What it can hold is bounded: at most <c>SendQueueLimit</c> items waiting (a newer
/// update of an item already waiting replaces it: only the latest matters), and a few answers to the client's own
/// messages. A socket that falls further behind is closed with 1013; one that stops taking frames is dropped by the
/// send deadline (<see cref="LiveSocket.DropIfSendStuck"/>).
/// </summary>
/// <remarks>
/// No loop waits per socket. Whoever queues into an idle outbox sends it right away, on its own thread, until the
/// outbox is empty or a send has to wait (then the rest continues when that send completes). A send that has room in
/// the connection's buffer completes at once, so one change reaches 10,000 sockets in one pass of the publishing
/// thread, without 10,000 thread-pool wake-ups, and a quiet socket holds no waiting task.
/// </remarks>
internal sealed class StockSubscriber(LiveSocket live, int queueLimit, LiveMetrics metrics, TimeProvider time)
{
    /// <summary>A client that sends this many messages without reading the answers is not reading at all.</summary>
    private const int RepliesLimit = 16;

    private readonly Lock _gate = new();
    // Made on first use: most subscribers wait for hours between changes.
    private Dictionary<int, StockMessage>? _waiting;
    private Queue<int>? _order;
    private Queue<byte[]>? _replies;
    private bool _sending;
    private Task? _sender;
    private bool _behind;
    private bool _done;

    /// <summary>The items this socket follows (read and written by its receive loop only).</summary>
    public HashSet<int> Items { get; } = [];

    public void Offer(StockMessage message)
    {
        lock (_gate)
        {
            if (_done || _behind) return;
            // A send is under way (and takes what waits when it ends): the message waits its turn.
            if (_sending)
            {
                Queue(message);
                return;
            }
            // Nothing is being sent, so nothing waits (a fan-out's usual case): straight to the socket, the outbox
            // untouched.
            _sending = true;
        }
        _sender = SendWaitingAsync(message);
    }

    /// <summary>Under the lock, while a send is under way: the message waits, or the socket is found too far behind.</summary>
    private void Queue(StockMessage message)
    {
        var waiting = _waiting ??= [];
        if (waiting.ContainsKey(message.ItemId))
        {
            waiting[message.ItemId] = message;
            metrics.Coalesced();
            return; // Its turn in the order is kept.
        }
        if (waiting.Count >= queueLimit)
        {
            // Too far behind: drop what waits (memory back at once); the send under way then closes the socket with 1013.
            _behind = true;
            metrics.Dropped(waiting.Count + 1);
            waiting.Clear();
            _order?.Clear();
            return;
        }
        waiting[message.ItemId] = message;
        (_order ??= new()).Enqueue(message.ItemId);
    }

    /// <summary>Queues an answer to the client; false when too many are waiting (the client is not reading).</summary>
    public bool Reply(byte[] utf8Json)
    {
        lock (_gate)
        {
            var replies = _replies ??= new();
            if (replies.Count >= RepliesLimit) return false;
            replies.Enqueue(utf8Json);
            if (!StartSending()) return true;
        }
        _sender = SendWaitingAsync(null);
        return true;
    }

    /// <summary>
    /// Stops sending once the socket's receive loop has ended; what still waits is dropped. The task ends when the
    /// send under way (if any) has: the socket is not disposed under it.
    /// </summary>
    public Task CompleteAsync()
    {
        lock (_gate)
        {
            _done = true;
            metrics.Dropped(_waiting?.Count ?? 0);
            _waiting?.Clear();
            _order?.Clear();
        }
        return Volatile.Read(ref _sender) ?? Task.CompletedTask;
    }

    /// <summary>Under the lock: true when no send is under way, and the caller is now the one sending.</summary>
    private bool StartSending()
    {
        if (_sending || _done) return false;
        _sending = true;
        return true;
    }

    /// <summary>Sends <paramref name="first"/> (if any), then what waits, in order, until nothing does (or the socket ends).</summary>
    private async Task SendWaitingAsync(StockMessage? first)
    {
        try
        {
            var next = first is null ? Next() : new Outgoing(first.Utf8Json, first, false);
            for (; next is { } current; next = Next())
            {
                if (current.Behind)
                {
                    await live.CloseAsync(CloseCodes.TryAgainLater, "too far behind the feed; reconnect", "behind");
                    return;
                }
                if (!await live.SendAsync(current.Utf8Json)) return;
                if (current.Update is { } update)
                    metrics.Delivered(time.GetUtcNow().UtcDateTime - update.PublishedAt);
                else
                    metrics.MessageOut(LiveEndpoints.StockPath); // An answer to the client's message: a message out like the echo's.
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The socket ended under the send: its receive loop sees that too and cleans up. Nothing more is sent
            // (the sending flag stays set), and what is offered meanwhile stays bounded by the queue limit.
        }
    }

    /// <summary>The next message to send, or null (and the sending turn given up) when nothing waits.</summary>
    private Outgoing? Next()
    {
        lock (_gate)
        {
            if (!_done)
            {
                if (_replies is { Count: > 0 } replies) return new Outgoing(replies.Dequeue(), null, false);
                if (_behind) return new Outgoing([], null, true);
                if (_order is not null && _order.TryDequeue(out var itemId))
                {
                    _waiting!.Remove(itemId, out var message);
                    return new Outgoing(message!.Utf8Json, message, false);
                }
            }
            _sending = false;
            return null;
        }
    }

    private readonly record struct Outgoing(byte[] Utf8Json, StockMessage? Update, bool Behind);
}
