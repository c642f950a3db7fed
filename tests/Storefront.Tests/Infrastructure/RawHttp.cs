using System.Net.Sockets;
using System.Text;

namespace Storefront.Tests.Infrastructure;

/// <summary>
/// HTTP/1.1 over a bare socket, for what HttpClient cannot show or will not send: the bytes after a HEAD response's
/// headers (HttpClient never reads a HEAD body, so a body sent by mistake would go unnoticed) and requests
/// malformed on purpose, which Kestrel refuses before any middleware runs.
/// </summary>
internal static class RawHttp
{
    /// <summary>
    /// Sends <paramref name="request"/> as is and reads until the server closes the connection: send
    /// <c>Connection: close</c>, or something Kestrel refuses (it closes after its answer).
    /// </summary>
    public static async Task<RawResponse> SendAsync(Uri server, byte[] request)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port, deadline.Token);
        var stream = client.GetStream();
        var received = new MemoryStream();
        try
        {
            await stream.WriteAsync(request, deadline.Token);
            await stream.CopyToAsync(received, deadline.Token);
        }
        catch (IOException) when (received.Length > 0)
        {
            // Kestrel answers an oversized request before reading all of it, then closes: the rest of what was sent
            // can come back as a reset after its answer arrived. The answer is what the test looks at.
        }
        return RawResponse.Parse(received.ToArray());
    }

    public static Task<RawResponse> SendAsync(Uri server, string request) => SendAsync(server, Encoding.Latin1.GetBytes(request));

    public sealed record Response(int Status, IReadOnlyDictionary<string, string> Headers, string Body)
    {
        public string? ContentType => Headers.GetValueOrDefault("content-type");
    }

    /// <summary>
    /// Sends the head (request line and headers, without the blank line, plus <c>Connection: close</c>) and then the
    /// body bytes as given: for bodies HttpClient refuses to produce (a malformed chunked body) or whose answer it
    /// loses (a 413 sent, and the connection closed, while the body is still being uploaded). The body is decoded
    /// (de-chunked, UTF-8).
    /// </summary>
    public static async Task<Response> SendAsync(Uri server, string head, byte[] body)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port);
        var stream = tcp.GetStream();
        try
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head.TrimEnd() + "\r\nConnection: close\r\n\r\n"));
            await stream.WriteAsync(body);
        }
        catch (IOException)
        {
            // A server may answer (413) and close before a large body is all sent; its answer is still there to read.
        }
        using var received = new MemoryStream();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await stream.CopyToAsync(received, deadline.Token);
        }
        catch (IOException)
        {
            // The server may reset the connection after answering a request it refused; what arrived is the answer.
        }
        return ParseDecoded(received.ToArray());
    }

    /// <summary>A whole response as received until the server closed the connection, its body de-chunked and decoded.</summary>
    public static Response ParseDecoded(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0) throw new InvalidOperationException($"No complete HTTP response: '{text}'");
        var lines = text[..end].Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = lines.Skip(1).Select(l => l.Split(':', 2))
            .ToDictionary(p => p[0].Trim().ToLowerInvariant(), p => p[1].Trim());
        var body = text[(end + 4)..];
        if (headers.GetValueOrDefault("transfer-encoding") == "chunked") body = Dechunk(body);
        return new Response(status, headers, body);
    }

    private static string Dechunk(string chunked)
    {
        var body = new StringBuilder();
        var position = 0;
        while (position < chunked.Length)
        {
            var lineEnd = chunked.IndexOf("\r\n", position, StringComparison.Ordinal);
            if (lineEnd < 0) break;
            var size = Convert.ToInt32(chunked[position..lineEnd], 16);
            if (size == 0) break;
            body.Append(chunked, lineEnd + 2, size);
            position = lineEnd + 2 + size + 2;
        }
        return body.ToString();
    }
}

/// <summary>A response as it came over the wire: status, headers in order, and every byte after the blank line.</summary>
internal sealed record RawResponse(int Status, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body, string Head)
{
    public string? Header(string name) =>
        Headers.Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();

    public static RawResponse Parse(byte[] bytes)
    {
        var text = Encoding.Latin1.GetString(bytes);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(end > 0, $"Not an HTTP response: '{text}'");
        var head = text[..end];
        var lines = head.Split("\r\n");
        var statusLine = lines[0].Split(' ', 3);
        Assert.True(statusLine.Length >= 2 && statusLine[0].StartsWith("HTTP/1.", StringComparison.Ordinal), $"Not a status line: '{lines[0]}'");
        var headers = lines.Skip(1)
            .Select(line => line.Split(':', 2))
            .Select(parts => KeyValuePair.Create(parts[0], parts.Length > 1 ? parts[1].Trim() : ""))
            .ToList();
        return new RawResponse(int.Parse(statusLine[1], System.Globalization.CultureInfo.InvariantCulture), headers, bytes[(end + 4)..], head);
    }
}
