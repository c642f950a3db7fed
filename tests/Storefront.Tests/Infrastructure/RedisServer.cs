using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Storefront.Tests.Infrastructure;

/// <summary>
/// A real redis-server process on a free loopback port, owned by one test so it can stop and restart it.
/// scripts/test installs Debian's redis-server; there is no fallback to a fake.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private Process? _process;

    private RedisServer(int port) => Port = port;

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync()
    {
        var server = new RedisServer(FreePort());
        await server.StartAgainAsync();
        return server;
    }

    public async Task StartAgainAsync()
    {
        TestServers.Require("redis-server");
        var binary = TestServers.OnPath("redis-server") ?? throw TestServers.Missing("redis-server", "redis-server", TestServers.RedisVariable);
        var start = new ProcessStartInfo(binary,
            ["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _process = ProcessGroups.Start(start);
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        // Refused connections mean "still starting"; an exit ends the wait at once.
        Process process = _process;
        await Eventually.TrueAsync(async () =>
        {
            if (process.HasExited) throw new InvalidOperationException($"redis-server exited at startup with code {process.ExitCode} (port {Port} taken?)");
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            return true;
        }, TimeSpan.FromSeconds(30), $"redis-server accepts connections on port {Port}", typeof(SocketException));
    }

    /// <summary>Kills the server outright, as a crash or a network cut would look to the service.</summary>
    public async Task StopAsync()
    {
        if (_process is null) return;
        await ProcessGroups.KillAsync(_process);
        _process.Dispose();
        _process = null;
    }

    /// <summary>
    /// Makes the server hold every client's commands for <paramref name="duration"/> while keeping their connections,
    /// as a Redis stuck on a slow command looks to them. Nothing ends a pause early (CLIENT UNPAUSE waits too).
    /// </summary>
    public async Task PauseAsync(TimeSpan duration)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"CLIENT PAUSE {(long)duration.TotalMilliseconds} ALL\r\n"));
        var reply = new byte[64];
        var text = Encoding.ASCII.GetString(reply, 0, await stream.ReadAsync(reply));
        if (!text.StartsWith("+OK", StringComparison.Ordinal)) throw new InvalidOperationException($"CLIENT PAUSE answered {text}");
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
