namespace Storefront.Tests.Infrastructure.Servers;

/// <summary>The run's shared redis-server: no persistence, loopback only, 64 databases so each test class gets its own.</summary>
internal sealed class RedisTestServer
{
    private readonly OwnedProcess _process;

    private RedisTestServer(OwnedProcess process, int port)
    {
        _process = process;
        Address = $"127.0.0.1:{port}";
    }

    public string Address { get; }

    public static async Task<RedisTestServer> StartAsync()
    {
        var folder = Directory.CreateDirectory(Path.Combine(ProcessGroups.RunFolder, "redis")).FullName;
        var port = ServiceProcess.FreePort();
        var binary = TestServers.OnPath("redis-server") ?? throw TestServers.Missing("redis-server", "redis-server", TestServers.RedisVariable);
        var process = OwnedProcess.Start(binary,
                ["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                 "--databases", "64", "--dir", folder]);
        await process.WaitForPortAsync(port, "redis-server");
        return new RedisTestServer(process, port);
    }

    public Task StopAsync() => _process.StopAsync(Signals.Terminate);
}
