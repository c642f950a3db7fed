using System.Net.Sockets;
using System.Text;

namespace Storefront.Tests.Infrastructure;

/// <summary>
/// A loopback SMTP "server" for a failure the real one (aiosmtpd) never shows: it greets, accepts the sender,
/// then refuses every recipient with a permanent 550. (<see cref="HangingSmtpServer"/> is the one that never answers.)
/// </summary>
internal sealed class RefusingSmtpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _connections = [];
    private readonly Task _accepting;

    public RefusingSmtpServer()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient connection;
            try
            {
                connection = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return; // Stopped.
            }
            lock (_connections) _connections.Add(connection);
            _ = ConverseAsync(connection);
        }
    }

    private async Task ConverseAsync(TcpClient connection)
    {
        try
        {
            var stream = connection.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            await WriteAsync(stream, "220 fake.test ESMTP");
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                await WriteAsync(stream, verb switch
                {
                    "EHLO" or "HELO" => "250 fake.test",
                    "RCPT" => "550 5.1.1 No such mailbox here",
                    "QUIT" => "221 2.0.0 Bye",
                    _ => "250 2.0.0 OK",
                });
                if (verb == "QUIT") return;
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client hung up, or the test is over.
        }
    }

    private Task WriteAsync(NetworkStream stream, string line) =>
        stream.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n"), _stop.Token).AsTask();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        lock (_connections) _connections.ForEach(c => c.Dispose());
        _stop.Dispose();
    }
}
