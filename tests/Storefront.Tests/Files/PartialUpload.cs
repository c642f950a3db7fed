using System.Net.Sockets;
using System.Text;

namespace Storefront.Tests.Files;

/// <summary>
/// POST /upload over a socket of its own whose body is sent in two steps, so a test can hold an upload open halfway
/// (the server is then writing its temporary), finish it, read an answer that came before the rest of the body, or
/// leave as a client that goes away.
/// </summary>
internal sealed class PartialUpload : IDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly byte[] _rest;

    private PartialUpload(TcpClient tcp, byte[] rest)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _rest = rest;
    }

    /// <summary>Sends the head, with the whole body's Content-Length, and the first <paramref name="sendFirst"/> bytes of the body.</summary>
    public static Task<PartialUpload> StartAsync(HttpClient client, byte[] body, int sendFirst) =>
        StartAsync(client, $"Content-Length: {body.Length}", body[..sendFirst], body[sendFirst..]);

    /// <summary>
    /// Sends the head with no length (the chunked coding, as a client streaming from a pipe does) and the first
    /// <paramref name="sendFirst"/> bytes of the body.
    /// </summary>
    public static Task<PartialUpload> StartChunkedAsync(HttpClient client, byte[] body, int sendFirst) =>
        StartAsync(client, "Transfer-Encoding: chunked", Chunked(body.AsSpan(0, sendFirst), last: false), Chunked(body.AsSpan(sendFirst), last: true));

    /// <summary>Sends the rest of the body and reads the answer (the server closes the connection after it).</summary>
    public async Task<RawHttp.Response> FinishAsync()
    {
        await _stream.WriteAsync(_rest);
        return await ReadResponseAsync();
    }

    /// <summary>Reads until the server closes the connection: the answer to what was sent so far.</summary>
    public async Task<RawHttp.Response> ReadResponseAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var received = new MemoryStream();
        try
        {
            await _stream.CopyToAsync(received, deadline.Token);
        }
        catch (IOException) when (received.Length > 0)
        {
            // A server that answers before the body is all read may reset the connection after its answer.
        }
        return RawHttp.ParseDecoded(received.ToArray());
    }

    /// <summary>Leaves mid-body, as a client whose connection drops.</summary>
    public void Dispose()
    {
        _stream.Dispose();
        _tcp.Dispose();
    }

    /// <summary>The body in the chunked transfer coding, 8 KB a chunk; <paramref name="last"/> adds the final empty chunk.</summary>
    public static byte[] Chunked(ReadOnlySpan<byte> body, bool last)
    {
        const int size = 8192;
        using var chunked = new MemoryStream();
        for (var offset = 0; offset < body.Length; offset += size)
        {
            var chunk = body.Slice(offset, Math.Min(size, body.Length - offset));
            chunked.Write(Encoding.ASCII.GetBytes($"{chunk.Length:X}\r\n"));
            chunked.Write(chunk);
            chunked.Write("\r\n"u8);
        }
        if (last) chunked.Write("0\r\n\r\n"u8);
        return chunked.ToArray();
    }

    private static async Task<PartialUpload> StartAsync(HttpClient client, string framing, byte[] first, byte[] rest)
    {
        var server = client.BaseAddress!;
        var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port);
        var upload = new PartialUpload(tcp, rest);
        var head = $"{Uploads.Head(client, framing)}\r\nConnection: close\r\n\r\n";
        await upload._stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        await upload._stream.WriteAsync(first);
        return upload;
    }
}
