using System.Net.WebSockets;

namespace Storefront.WsLoad;

/// <summary>A message's bytes, in a buffer that grows when a message does not fit (rarely: messages are short).</summary>
internal sealed class MessageBuffer(int size)
{
    public byte[] Bytes { get; private set; } = new byte[size];

    public void Grow()
    {
        var bigger = new byte[Bytes.Length * 2];
        Bytes.CopyTo(bigger, 0);
        Bytes = bigger;
    }
}

internal static class Sockets
{
    // One handler for every socket: no proxy (the servers are on 127.0.0.1), no cookies, no tracing headers.
    private static readonly HttpMessageInvoker Invoker = new(new SocketsHttpHandler
    {
        UseProxy = false,
        UseCookies = false,
        ActivityHeadersPropagator = null,
    });

    public static async Task<ClientWebSocket> ConnectAsync(Uri url, TimeSpan timeout, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        // No client pings: the only traffic is the load's own, and 10,000 idle subscribers stay idle.
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        socket.Options.SetBuffer(1024, 1024);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(url, Invoker, deadline.Token);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>One whole message into <paramref name="buffer"/>: its length, or -1 for a close frame.</summary>
    public static async ValueTask<int> ReceiveAsync(ClientWebSocket socket, MessageBuffer buffer, CancellationToken ct)
    {
        var length = 0;
        while (true)
        {
            if (length == buffer.Bytes.Length) buffer.Grow();
            var result = await socket.ReceiveAsync(buffer.Bytes.AsMemory(length), ct);
            if (result.MessageType == WebSocketMessageType.Close) return -1;
            length += result.Count;
            if (result.EndOfMessage) return length;
        }
    }

    /// <summary>The close handshake, bounded: a server that does not answer it is simply left.</summary>
    public static async Task CloseAsync(ClientWebSocket socket, TimeSpan timeout)
    {
        if (socket.State != WebSocketState.Open)
        {
            socket.Abort();
            return;
        }
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, deadline.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            socket.Abort();
        }
    }

    /// <summary>A short description of why a socket failed, for the one line printed on stderr.</summary>
    public static string Describe(Exception e) =>
        e.InnerException is { } inner && e is WebSocketException ? $"{e.Message} ({inner.Message})" : e.Message;
}
