using System.Buffers;
using System.Net.WebSockets;

namespace Storefront.Api.Live;

/// <summary>What one receive of a whole message gave.</summary>
internal enum Incoming
{
    Text,
    Closed,
    Binary,
    TooBig,
}

/// <summary>
/// Reads whole text messages of one socket into a pooled buffer that grows as a message needs, never past the
/// largest allowed message (plus one byte, to tell "exactly the limit" from "over it").
/// </summary>
internal sealed class MessageBuffer(int maxBytes) : IDisposable
{
    // Small enough that 10,000 quiet subscribers hold 2.5 MB between them; longer messages grow it as needed.
    private const int InitialBytes = 256;

    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(Math.Min(InitialBytes, maxBytes + 1));
    private int _length;

    public ReadOnlyMemory<byte> Message => _buffer.AsMemory(0, _length);

    public async ValueTask<Incoming> ReceiveAsync(LiveSocket live)
    {
        _length = 0;
        while (true)
        {
            if (_length == _buffer.Length) Grow();
            var result = await live.Socket.ReceiveAsync(_buffer.AsMemory(_length), live.Aborted);
            if (result.MessageType == WebSocketMessageType.Close) return Incoming.Closed;
            if (result.MessageType == WebSocketMessageType.Binary) return Incoming.Binary;
            _length += result.Count;
            if (_length > maxBytes) return Incoming.TooBig;
            if (!result.EndOfMessage) continue;
            // Text that is not UTF-8 never gets here: the runtime's WebSocket closes with 1007 itself (LiveEndpoints).
            live.Received();
            return Incoming.Text;
        }
    }

    /// <summary>After the server's close frame: reads and discards until the client's close (or the abort).</summary>
    public async Task DrainAsync(LiveSocket live)
    {
        while (live.Socket.State is WebSocketState.CloseSent or WebSocketState.Open)
        {
            var result = await live.Socket.ReceiveAsync(_buffer.AsMemory(), live.Aborted);
            if (result.MessageType == WebSocketMessageType.Close) return;
        }
    }

    private void Grow()
    {
        var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(2L * _buffer.Length, maxBytes + 1L));
        _buffer.AsSpan(0, _length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
