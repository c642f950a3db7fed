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
