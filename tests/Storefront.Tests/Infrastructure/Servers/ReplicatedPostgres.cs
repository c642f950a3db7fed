using System.Globalization;
using Npgsql;

namespace Storefront.Tests.Infrastructure.Servers;

/// <summary>
/// A PostgreSQL primary and one streaming standby of its own (a pg_basebackup of the primary, a synchronous
/// standby named <c>standby</c>), on loopback, for a test class that kills, promotes or pauses them: the run's shared
/// server (<see cref="TestServers"/>) is never touched. The database <c>storefront</c> exists on both.
/// </summary>
internal sealed class ReplicatedPostgres : IAsyncDisposable
{
    private readonly string _folder;
    private readonly string _superuserPassword;

    private ReplicatedPostgres(string folder, string superuserPassword)
    {
        _folder = folder;
        _superuserPassword = superuserPassword;
    }

    public OwnedProcess? Primary { get; private set; }
    public OwnedProcess? Standby { get; private set; }
    public int PrimaryPort { get; private set; }
    public int StandbyPort { get; private set; }

    /// <summary>Both servers, primary first, as the service is configured with them.</summary>
    public string ConnectionString =>
        $"Host=127.0.0.1:{PrimaryPort},127.0.0.1:{StandbyPort};Username=storefront;Password=storefront;Database=storefront";

    public static async Task<ReplicatedPostgres> StartAsync()
    {
        TestServers.Require(TestServers.PostgresVariable);
        var bin = Environment.GetEnvironmentVariable("STOREFRONT_PG_BIN") is { Length: > 0 } named ? named : PostgresTestServer.NewestInstalled()
            ?? throw TestServers.Missing("PostgreSQL", "postgresql", TestServers.PostgresVariable);
        var folder = Directory.CreateDirectory(Path.Combine(ProcessGroups.RunFolder, $"pgrepl-{Guid.NewGuid():N}"[..20])).FullName;
        var servers = new ReplicatedPostgres(folder, Guid.NewGuid().ToString("N"));
        var passwordFile = Path.Combine(folder, "superuser.pw");
        await File.WriteAllTextAsync(passwordFile, servers._superuserPassword);
        if (Environment.IsPrivilegedProcess) await PostgresTestServer.RunAsync("chown", ["-R", "postgres:", folder]);

        var primaryData = Path.Combine(folder, "primary");
        var (initdb, initdbArguments) = PostgresTestServer.AsPostgres(Path.Combine(bin, "initdb"),
        [
            "-D", primaryData, "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", "--auth-local=trust",
            "--auth-host=scram-sha-256", $"--pwfile={passwordFile}", "--no-sync",
        ]);
        await PostgresTestServer.RunAsync(initdb, initdbArguments);
        servers.PrimaryPort = ServiceProcess.FreePort();
        servers.Primary = servers.StartServer(bin, primaryData, servers.PrimaryPort);
        await servers.Primary.WaitForPortAsync(servers.PrimaryPort, "PostgreSQL primary");
        await servers.SuperuserAsync(servers.PrimaryPort, "CREATE ROLE storefront LOGIN PASSWORD 'storefront' CREATEDB", tolerateStarting: true);
        await servers.SuperuserAsync(servers.PrimaryPort, "CREATE DATABASE storefront OWNER storefront");
        // In postgresql.auto.conf (copied to the standby), not on the command line, so a promotion can change it.
        await servers.SuperuserAsync(servers.PrimaryPort, "ALTER SYSTEM SET synchronous_standby_names = 'standby'");
        await servers.SuperuserAsync(servers.PrimaryPort, "SELECT pg_reload_conf()");

        // -R: standby.signal and primary_conninfo; application_name makes it the synchronous standby.
        var standbyData = Path.Combine(folder, "standby");
        var (basebackup, basebackupArguments) = PostgresTestServer.AsPostgres(Path.Combine(bin, "pg_basebackup"),
        [
            "-D", standbyData, "-X", "stream", "-R", "-c", "fast",
            "-d", $"host=127.0.0.1 port={servers.PrimaryPort} user=postgres password={servers._superuserPassword} application_name=standby",
        ]);
        await PostgresTestServer.RunAsync(basebackup, basebackupArguments);
        servers.StandbyPort = ServiceProcess.FreePort();
        servers.Standby = servers.StartServer(bin, standbyData, servers.StandbyPort);
        await servers.Standby.WaitForPortAsync(servers.StandbyPort, "PostgreSQL standby");
        await Eventually.TrueAsync(async () => await servers.ScalarAsync(servers.PrimaryPort,
            "SELECT count(*) FROM pg_stat_replication WHERE application_name = 'standby' AND sync_state = 'sync'") is 1L,
            TimeSpan.FromSeconds(60), "the standby streams synchronously", typeof(NpgsqlException));
        return servers;
    }

    /// <summary>SIGKILL to the primary's whole process group: a crash, nothing flushed or handed over.</summary>
    public async Task KillPrimaryAsync()
    {
        await ProcessGroups.KillAsync(Primary!.Process);
        Primary = null;
    }

    /// <summary>What an operator or Patroni does once the primary is gone: promote, and stop waiting for a standby.</summary>
    public async Task PromoteStandbyAsync()
    {
        await SuperuserAsync(StandbyPort, "SELECT pg_promote(wait => true, wait_seconds => 60)");
        await SuperuserAsync(StandbyPort, "ALTER SYSTEM SET synchronous_standby_names = ''");
        await SuperuserAsync(StandbyPort, "SELECT pg_reload_conf()");
    }

    /// <summary>The standby keeps receiving WAL but stops applying it: it lags more each moment the primary writes.</summary>
    public Task PauseReplayAsync() => SuperuserAsync(StandbyPort, "SELECT pg_wal_replay_pause()");

    public Task ResumeReplayAsync() => SuperuserAsync(StandbyPort, "SELECT pg_wal_replay_resume()");

    /// <summary>Runs a query on the database <c>storefront</c> of the server on <paramref name="port"/>.</summary>
    public async Task<object?> ScalarAsync(int port, string sql, string database = "postgres")
    {
        await using var connection = new NpgsqlConnection(Superuser(port, database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (Standby is not null) await Standby.StopAsync(Signals.Interrupt);
        if (Primary is not null) await Primary.StopAsync(Signals.Interrupt);
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } // Best effort: the run folder goes too.
        catch (UnauthorizedAccessException) { }
    }

    private string Superuser(int port, string database) =>
        $"Host=127.0.0.1;Port={port};Username=postgres;Password={_superuserPassword};Database={database};Pooling=false";

    private Task SuperuserAsync(int port, string sql, bool tolerateStarting = false) =>
        Eventually.TrueAsync(async () =>
        {
            await ScalarAsync(port, sql);
            return true;
        }, TimeSpan.FromSeconds(tolerateStarting ? 30 : 60), $"{sql} on port {port}", tolerateStarting ? [typeof(NpgsqlException)] : []);

    private OwnedProcess StartServer(string bin, string data, int port)
    {
        // Durability off as for the shared server, except what this class is about: commits that ask for the standby
        // (the service's, synchronous_commit=on) wait for it.
        var (postgres, arguments) = PostgresTestServer.AsPostgres(Path.Combine(bin, "postgres"),
        [
            "-D", data, "-p", port.ToString(CultureInfo.InvariantCulture), "-c", "listen_addresses=127.0.0.1",
            "-c", $"unix_socket_directories={_folder}", "-c", "max_connections=100", "-c", "fsync=off",
            "-c", "full_page_writes=off", "-c", "wal_level=replica", "-c", "max_wal_senders=5", "-c", "hot_standby=on",
            "-c", "hot_standby_feedback=on", "-c", "synchronous_commit=off",
        ]);
        return OwnedProcess.Start(postgres, arguments);
    }
}
