using System.Globalization;
using Npgsql;

namespace Storefront.Tests.Infrastructure.Servers;

/// <summary>
/// The run's PostgreSQL: a fresh cluster (initdb) of the newest installed version, durability off (the data is thrown
/// away), and a <c>storefront</c> role that may CREATE DATABASE, one database per test class. Host connections need the
/// real password, so a wrong connection string fails as it would against a real server.
/// </summary>
internal sealed class PostgresTestServer
{
    private readonly OwnedProcess _process;

    private PostgresTestServer(OwnedProcess process, int port)
    {
        _process = process;
        ConnectionString = $"Host=127.0.0.1;Port={port};Username=storefront;Password=storefront;Database=postgres";
    }

    public string ConnectionString { get; }

    public static async Task<PostgresTestServer> StartAsync()
    {
        var bin = Environment.GetEnvironmentVariable("STOREFRONT_PG_BIN") is { Length: > 0 } named ? named : NewestInstalled()
            ?? throw TestServers.Missing("PostgreSQL", "postgresql", TestServers.PostgresVariable);
        var folder = Directory.CreateDirectory(Path.Combine(ProcessGroups.RunFolder, "postgres")).FullName;
        var data = Path.Combine(folder, "data");
        var superuserPassword = Guid.NewGuid().ToString("N");
        var passwordFile = Path.Combine(folder, "superuser.pw");
        await File.WriteAllTextAsync(passwordFile, superuserPassword);
        // The server refuses to run as root: then its commands run as the postgres user, which owns the folder.
        if (Environment.IsPrivilegedProcess) await RunAsync("chown", ["-R", "postgres:", folder]);

        // C.UTF-8 keeps byte-order sorting but makes lower()/upper()/ILIKE work beyond ASCII.
        var (initdb, initdbArguments) = AsPostgres(Path.Combine(bin, "initdb"),
        [
            "-D", data, "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", "--auth-local=trust",
            "--auth-host=scram-sha-256", $"--pwfile={passwordFile}", "--no-sync",
        ]);
        await RunAsync(initdb, initdbArguments);
        var port = ServiceProcess.FreePort();
        // Tests create a database per test class, each with its own connection pool: more connections than 100.
        var (postgres, postgresArguments) = AsPostgres(Path.Combine(bin, "postgres"),
        [
            "-D", data, "-p", port.ToString(CultureInfo.InvariantCulture), "-c", "listen_addresses=127.0.0.1",
            "-c", $"unix_socket_directories={folder}", "-c", "max_connections=300", "-c", "fsync=off", "-c", "synchronous_commit=off",
            "-c", "full_page_writes=off",
        ]);
        var process = OwnedProcess.Start(postgres, postgresArguments);
        await process.WaitForPortAsync(port, "PostgreSQL");

        var superuser = $"Host=127.0.0.1;Port={port};Username=postgres;Password={superuserPassword};Database=postgres;Pooling=false";
        await Eventually.TrueAsync(async () =>
        {
            await using var connection = new NpgsqlConnection(superuser);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("CREATE ROLE storefront LOGIN PASSWORD 'storefront' CREATEDB", connection);
            await command.ExecuteNonQueryAsync();
            return true;
        }, TimeSpan.FromSeconds(30), "PostgreSQL accepts the superuser", typeof(NpgsqlException));
        return new PostgresTestServer(process, port);
    }

    /// <summary>SIGINT: PostgreSQL's fast shutdown (sessions ended, no waiting for clients).</summary>
    public Task StopAsync() => _process.StopAsync(Signals.Interrupt);

    internal static string? NewestInstalled() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.EnumerateDirectories("/usr/lib/postgresql")
                .Select(version => Path.Combine(version, "bin"))
                .Where(bin => File.Exists(Path.Combine(bin, "initdb")))
                .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var major) ? major : 0)
                .FirstOrDefault()
            : null;

    internal static (string Program, string[] Arguments) AsPostgres(string program, string[] arguments) =>
        Environment.IsPrivilegedProcess ? ("runuser", ["-u", "postgres", "--", program, .. arguments]) : (program, arguments);

    internal static async Task RunAsync(string program, IEnumerable<string> arguments)
    {
        var (exitCode, output, errors) = await Tool.RunAsync(program, arguments, ProcessGroups.RunFolder, TimeSpan.FromMinutes(2));
        if (exitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({exitCode}):\n{output}{errors}");
    }
}
