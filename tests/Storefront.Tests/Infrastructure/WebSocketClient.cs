using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;

namespace Storefront.Tests.Infrastructure;

/// <summary>
/// The test's end of a WebSocket on the service's real Kestrel port: connect, send text, and receive whole messages
/// or the server's close, each with a deadline, so a message that never comes fails the test instead of hanging it.
/// </summary>
internal sealed class WebSocketClient : IAsyncDisposable
{
    /// <summary>How long one receive waits by default: a loaded 2-core machine can stall for seconds.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private WebSocketClient(ClientWebSocket socket) => Socket = socket;

    public ClientWebSocket Socket { get; }

    public static Uri Address(Uri server, string path) =>
        new UriBuilder(server) { Scheme = server.Scheme == Uri.UriSchemeHttps ? "wss" : "ws", Path = path }.Uri;

    public static async Task<WebSocketClient> ConnectAsync(Uri server, string path, Action<ClientWebSocketOptions>? configure = null)
    {
        var socket = new ClientWebSocket();
        configure?.Invoke(socket.Options);
        using var deadline = new CancellationTokenSource(Patience);
        try
        {
            await socket.ConnectAsync(Address(server, path), deadline.Token);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new WebSocketClient(socket);
    }

    /// <summary>
    /// A WebSocket upgrade request as a plain HTTP request, for the answers that refuse it: ClientWebSocket reports a
    /// refused handshake's status but never its body.
    /// </summary>
    public static HttpRequestMessage UpgradeRequest(string path, string? origin = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Connection.Add("Upgrade");
        request.Headers.Upgrade.Add(new ProductHeaderValue("websocket"));
        request.Headers.Add("Sec-WebSocket-Version", "13");
        request.Headers.Add("Sec-WebSocket-Key", Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)));
        if (origin is not null) request.Headers.Add("Origin", origin);
        return request;
    }

    public Task SendTextAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);

    /// <summary>Sends the bytes as one message of that type as they are: ClientWebSocket does not check outgoing UTF-8.</summary>
    public async Task SendAsync(ReadOnlyMemory<byte> bytes, WebSocketMessageType type)
    {
        using var deadline = new CancellationTokenSource(Patience);
        await Socket.SendAsync(bytes, type, endOfMessage: true, deadline.Token);
    }

    /// <summary>The next whole message, which must be text.</summary>
    public async Task<string> ReceiveTextAsync(TimeSpan? timeout = null)
    {
        var message = await ReceiveAsync(timeout);
        Assert.True(message.Type == WebSocketMessageType.Text, $"Expected a text message, got {message}");
        return message.Text;
    }

    public async Task<JsonElement> ReceiveJsonAsync(TimeSpan? timeout = null) =>
        JsonDocument.Parse(await ReceiveTextAsync(timeout)).RootElement;

    /// <summary>The next message read as the service's own record, as strictly as <see cref="HttpAssertions.ShouldBeJsonAsync{T}"/>.</summary>
    public async Task<T> ReceiveJsonAsync<T>(TimeSpan? timeout = null) =>
        (await ReceiveJsonAsync(timeout)).Deserialize<T>(HttpAssertions.Answers) ?? throw new Xunit.Sdk.XunitException($"The message is null, not a {typeof(T).Name}");

    /// <summary>The server's close, which must come before any other message; it is answered, ending the handshake.</summary>
    public async Task<Received> ReceiveCloseAsync(TimeSpan? timeout = null)
    {
        var message = await ReceiveAsync(timeout);
        Assert.True(message.Type == WebSocketMessageType.Close, $"Expected the server's close, got {message}");
        return message;
    }

    /// <summary>
    /// The next whole message of any type. A close is answered with the same status, as a well-behaved client does, so
    /// the server need not wait for it. Past the deadline the socket is aborted and <see cref="TimeoutException"/> thrown.
    /// </summary>
    public async Task<Received> ReceiveAsync(TimeSpan? timeout = null)
    {
        var wait = timeout ?? Patience;
        using var deadline = new CancellationTokenSource(wait);
        using var message = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var result = await Socket.ReceiveAsync(buffer, deadline.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (Socket.State == WebSocketState.CloseReceived)
                        await Socket.CloseOutputAsync(result.CloseStatus ?? WebSocketCloseStatus.NormalClosure, "", deadline.Token);
                    return new Received(WebSocketMessageType.Close, "", result.CloseStatus, result.CloseStatusDescription);
                }
                message.Write(buffer, 0, result.Count);
                if (result.EndOfMessage)
                    return new Received(result.MessageType, Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length), null, null);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"No whole message within {wait.TotalSeconds:0.#} s (socket state {Socket.State}).");
        }
    }

    /// <summary>Closes from the client's side and waits for the server's answer.</summary>
    public async Task CloseAsync()
    {
        using var deadline = new CancellationTokenSource(Patience);
        await Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", deadline.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await CloseOutputQuietlyAsync(Socket);
        Socket.Dispose();
    }

    /// <summary>Says goodbye on a socket still open, waiting at most 5 s; a server gone or a socket broken is no error (disposing aborts it anyway).</summary>
    public static async Task CloseOutputQuietlyAsync(WebSocket socket)
    {
        if (socket.State != WebSocketState.Open) return;
        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", deadline.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The server is gone or the socket broke.
        }
    }

    /// <summary>One whole message; for a close, its status and description.</summary>
    public readonly record struct Received(WebSocketMessageType Type, string Text, WebSocketCloseStatus? CloseStatus, string? CloseDescription)
    {
        public override string ToString() => Type == WebSocketMessageType.Close
            ? $"close {(int?)CloseStatus} \"{CloseDescription}\""
            : $"{Type}: {(Text.Length > 200 ? Text[..200] + "..." : Text)}";
    }
}
