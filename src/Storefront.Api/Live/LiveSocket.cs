using System.Net.WebSockets;

namespace Storefront.Api.Live;

/// <summary>
/// One accepted WebSocket. A WebSocket allows one send at a time, and the echo loop, the feed's sender and the
/// server's own closes (shutdown, idle) all send: they take turns through <see cref="SendAsync"/> and
/// <see cref="CloseAsync"/>. Cancelling <see cref="Aborted"/> aborts the socket (a pending receive ends at once).
/// </summary>
/// <remarks>
/// A send that does not finish within <c>SendTimeoutSeconds</c> is found by <see cref="LiveSockets"/>' sweep, which
/// drops the socket (<see cref="DropIfSendStuck"/>). A timer per socket, re-armed around every send, would cost each of
/// a fan-out's sends two operations on the runtime's timer queue and each socket a linked token source and its timer.
/// </remarks>
internal sealed class LiveSocket(WebSocket socket, string endpoint, TimeProvider time, TimeSpan closeTimeout) : IDisposable
{
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly CancellationTokenSource _abort = new();
    // When the send under way started (0: none is).
    private long _sendStarted;
    private long _lastReceived = time.GetTimestamp();
    private int _closing;

    public WebSocket Socket => socket;

    public string Endpoint => endpoint;

    /// <summary>Passed to every receive: cancelled when the socket is dropped, which aborts the receive.</summary>
    public CancellationToken Aborted => _abort.Token;

    /// <summary>Why the server sent its close frame (for /metrics): "client" when it answered the client's.</summary>
    public string? ClosedBecause { get; private set; }

    public bool IsClosing => Volatile.Read(ref _closing) == 1;

    public void Received() => Volatile.Write(ref _lastReceived, time.GetTimestamp());

    public TimeSpan Quiet => time.GetElapsedTime(Volatile.Read(ref _lastReceived));

    private int _subscriptions;

    /// <summary>/ws/stock: how many items the socket follows (the idle sweep closes quiet sockets that follow none).</summary>
    public int Subscriptions
    {
        get => Volatile.Read(ref _subscriptions);
        set => Volatile.Write(ref _subscriptions, value);
    }

    /// <summary>True when the socket stopped taking frames within <c>SendTimeoutSeconds</c> and was dropped.</summary>
    public bool Stalled => _stalled;

    private volatile bool _stalled;

    /// <summary>
    /// Sends one text message; false when the socket is closing or was dropped because the client stopped reading
    /// (the send did not finish within <c>SendTimeoutSeconds</c>: <see cref="DropIfSendStuck"/>).
    /// </summary>
    public async ValueTask<bool> SendAsync(ReadOnlyMemory<byte> text)
    {
        await _sending.WaitAsync(_abort.Token);
        try
        {
            if (IsClosing) return false;
            Volatile.Write(ref _sendStarted, time.GetTimestamp());
            try
            {
                // The abort's token, so that dropping the socket also ends a send stuck in the connection's output.
                await socket.SendAsync(text, WebSocketMessageType.Text, endOfMessage: true, _abort.Token);
            }
            catch (Exception ex) when (Stalled && ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
            {
                return false;
            }
            finally
            {
                Volatile.Write(ref _sendStarted, 0);
            }
            return true;
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>
    /// Drops the socket when a send has been waiting for longer than <paramref name="limit"/>: its client stopped
    /// reading. Called by the sweep; true when it dropped the socket.
    /// </summary>
    public bool DropIfSendStuck(TimeSpan limit)
    {
        var started = Volatile.Read(ref _sendStarted);
        if (started == 0 || time.GetElapsedTime(started) < limit || IsClosing) return false;
        _stalled = true;
        Abort();
        return true;
    }

    /// <summary>
    /// Sends the server's close frame once (later calls do nothing) and gives the client
    /// <c>CloseTimeoutSeconds</c> to answer with its own before the socket is dropped.
    /// </summary>
    public async Task CloseAsync(WebSocketCloseStatus status, string description, string because)
    {
        if (Interlocked.Exchange(ref _closing, 1) == 1) return;
        ClosedBecause = because;
        try
        {
            _abort.CancelAfter(closeTimeout);
            await _sending.WaitAsync(_abort.Token);
            try
            {
                if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                    await socket.CloseOutputAsync(status, description, _abort.Token);
            }
            finally
            {
                _sending.Release();
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // The client is gone or not taking frames: the abort above ends the socket.
        }
    }

    /// <summary>Drops the socket without a close handshake (a stalled or dead client).</summary>
    public void Abort()
    {
        Volatile.Write(ref _closing, 1);
        socket.Abort();
        try
        {
            _abort.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The socket's handler has already finished.
        }
    }

    public void Dispose()
    {
        _abort.Dispose();
        _sending.Dispose();
    }
}
