using System.Globalization;
using StackExchange.Redis;

namespace Storefront.Tests.Infrastructure.Servers;

/// <summary>
/// Redis as a master, one replica and three Sentinels (quorum 2) watching the service <see cref="ServiceName"/>, on
/// loopback, for a test class that kills the master: the run's shared redis-server is never touched.
/// </summary>
internal sealed class SentinelRedis : IAsyncDisposable
{
    public const string ServiceName = "storefront";

    private readonly string _folder;
    private readonly Dictionary<int, OwnedProcess> _servers = [];
    private readonly List<(int Port, OwnedProcess Process)> _sentinels = [];

    private SentinelRedis(string folder) => _folder = folder;

    /// <summary>The service's configuration: the Sentinels and the service name, no Redis address.</summary>
    public string ConnectionString =>
        string.Join(',', _sentinels.Select(s => $"127.0.0.1:{s.Port}")) + $",serviceName={ServiceName}";

    public static async Task<SentinelRedis> StartAsync()
    {
        TestServers.Require(TestServers.RedisVariable);
        var binary = TestServers.OnPath("redis-server") ?? throw TestServers.Missing("redis-server", "redis-server", TestServers.RedisVariable);
        var folder = Directory.CreateDirectory(Path.Combine(ProcessGroups.RunFolder, $"sentinel-{Guid.NewGuid():N}"[..17])).FullName;
        var group = new SentinelRedis(folder);
        var master = ServiceProcess.FreePort();
        await group.StartServerAsync(binary, master, replicaOf: null);
        await group.StartServerAsync(binary, ServiceProcess.FreePort(), replicaOf: master);
        for (var i = 0; i < 3; i++)
        {
            var port = ServiceProcess.FreePort();
            var config = Path.Combine(folder, $"sentinel-{i}.conf");
            // Sentinel rewrites its own file (the master it follows, the other Sentinels).
            await File.WriteAllTextAsync(config, $"""
                port {port}
                bind 127.0.0.1
                dir {folder}
                sentinel monitor {ServiceName} 127.0.0.1 {master} 2
                sentinel down-after-milliseconds {ServiceName} 2000
                sentinel failover-timeout {ServiceName} 10000
                """);
            var sentinel = OwnedProcess.Start(binary, [config, "--sentinel"]);
            group._sentinels.Add((port, sentinel));
            await sentinel.WaitForPortAsync(port, "redis-sentinel");
        }
        await Eventually.TrueAsync(async () => await group.MasterPortAsync() == master, TimeSpan.FromSeconds(30),
            "every Sentinel knows the master", typeof(RedisException));
        return group;
    }

    /// <summary>The master's port as the first Sentinel that answers says.</summary>
    public async Task<int?> MasterPortAsync()
    {
        foreach (var (port, _) in _sentinels)
        {
            try
            {
                // Sentinel's own commands only, and no service name: this talks to the Sentinel itself, not to its master.
                var options = new ConfigurationOptions { CommandMap = CommandMap.Sentinel, AbortOnConnectFail = false, ConnectTimeout = 1000, TieBreaker = "" };
                options.EndPoints.Add("127.0.0.1", port);
                await using var sentinel = await ConnectionMultiplexer.ConnectAsync(options);
                var address = await sentinel.GetServer($"127.0.0.1:{port}").SentinelGetMasterAddressByNameAsync(ServiceName);
                if (address is System.Net.IPEndPoint ip) return ip.Port;
            }
            catch (RedisException)
            {
                // The next Sentinel.
            }
        }
        return null;
    }

    /// <summary>SIGKILL to the master; Sentinel then promotes the replica (down-after 2 s, quorum 2).</summary>
    public async Task<int> KillMasterAsync()
    {
        var master = await MasterPortAsync() ?? throw new InvalidOperationException("No Sentinel names a master.");
        await ProcessGroups.KillAsync(_servers[master].Process);
        _servers.Remove(master);
        return master;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (_, sentinel) in _sentinels) await sentinel.StopAsync(Signals.Terminate);
        foreach (var server in _servers.Values) await server.StopAsync(Signals.Terminate);
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } // Best effort: the run folder goes too.
    }

    private async Task StartServerAsync(string binary, int port, int? replicaOf)
    {
        List<string> arguments = ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", _folder];
        if (replicaOf is { } master) arguments.AddRange(["--replicaof", "127.0.0.1", master.ToString(CultureInfo.InvariantCulture)]);
        var server = OwnedProcess.Start(binary, arguments);
        _servers[port] = server;
        await server.WaitForPortAsync(port, "redis-server");
    }
}
