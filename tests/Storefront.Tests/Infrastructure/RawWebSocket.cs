using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Storefront.Tests.Infrastructure;

/// <summary>
/// A WebSocket client over a bare TCP connection (RFC 6455 framing, by hand) for what ClientWebSocket hides: the
/// server's pings, which it answers on its own, and a peer that leaves them unanswered, as a dead one would.
/// </summary>
internal sealed class RawWebSocket : IAsyncDisposable
{
    public const int Text = 0x1;
    public const int Close = 0x8;
    public const int Ping = 0x9;
    public const int Pong = 0xA;

    private readonly TcpClient _tcp = new();
    private NetworkStream _stream = null!;

    public sealed record Frame(int Opcode, byte[] Payload)
    {
        public string Text => Encoding.UTF8.GetString(Payload);
    }

    public static async Task<RawWebSocket> ConnectAsync(Uri server, string path)
    {
        var socket = new RawWebSocket();
        try
        {
            using var deadline = new CancellationTokenSource(WebSocketClient.Patience);
            await socket._tcp.ConnectAsync(server.Host, server.Port, deadline.Token);
            socket._stream = socket._tcp.GetStream();
            var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            await socket._stream.WriteAsync(Encoding.ASCII.GetBytes(
                $"GET {path} HTTP/1.1\r\nHost: {server.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"), deadline.Token);
            var head = await socket.ReadHeadAsync(deadline.Token);
            Assert.StartsWith("HTTP/1.1 101", head, StringComparison.Ordinal);
            return socket;
        }
        catch
        {
            await socket.DisposeAsync();
            throw;
        }
    }

    /// <summary>The next frame, or null when the server ended the connection (closed or reset it).</summary>
    public async Task<Frame?> ReadFrameAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            var head = await ReadExactlyAsync(2, deadline.Token);
            if (head is null) return null;
            long length = head[1] & 0x7F;
            if (length == 126) length = await ReadExactlyAsync(2, deadline.Token) is { } l16 ? BinaryPrimitives.ReadUInt16BigEndian(l16) : -1;
            else if (length == 127) length = await ReadExactlyAsync(8, deadline.Token) is { } l64 ? (long)BinaryPrimitives.ReadUInt64BigEndian(l64) : -1;
            Assert.True((head[1] & 0x80) == 0, "a server's frames are not masked");
            if (length < 0) return null;
            var payload = await ReadExactlyAsync((int)length, deadline.Token);
            return payload is null ? null : new Frame(head[0] & 0x0F, payload);
        }
        catch (IOException)
        {
            return null; // Reset by the server: it dropped the connection.
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"No frame within {timeout.TotalSeconds:0.#} s.");
        }
    }

    /// <summary>Sends one final frame, masked as a client's must be.</summary>
    public async Task SendFrameAsync(int opcode, byte[] payload)
    {
        Assert.True(payload.Length < 126, "short frames only");
        var frame = new byte[2 + 4 + payload.Length];
        frame[0] = (byte)(0x80 | opcode);
        frame[1] = (byte)(0x80 | payload.Length);
        RandomNumberGenerator.Fill(frame.AsSpan(2, 4));
        for (var i = 0; i < payload.Length; i++) frame[6 + i] = (byte)(payload[i] ^ frame[2 + i % 4]);
        using var deadline = new CancellationTokenSource(WebSocketClient.Patience);
        await _stream.WriteAsync(frame, deadline.Token);
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>The response head, read a byte at a time so no frame after it is consumed.</summary>
    private async Task<string> ReadHeadAsync(CancellationToken cancellationToken)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await _stream.ReadAsync(one, cancellationToken) == 0) break;
            head.Append((char)one[0]);
        }
        return head.ToString();
    }

    private async Task<byte[]?> ReadExactlyAsync(int count, CancellationToken cancellationToken)
    {
        var bytes = new byte[count];
        try
        {
            await _stream.ReadExactlyAsync(bytes, cancellationToken);
        }
        catch (EndOfStreamException)
        {
            return null;
        }
        return bytes;
    }
}
