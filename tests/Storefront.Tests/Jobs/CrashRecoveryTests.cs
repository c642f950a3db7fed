using Npgsql;

namespace Storefront.Tests.Jobs;

/// <summary>Real processes on real PostgreSQL: a job survives its worker being killed, and shutdown hands jobs back.</summary>
public sealed class CrashRecoveryTests
{
    [Fact]
    public async Task A_job_running_when_the_service_is_killed_completes_after_restart_and_its_effect_is_recorded_once()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        await Migrations.MigrateAsync(database.ConnectionString);
        using var hanging = new HangingSmtpServer();
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = database.ConnectionString,
            ["Jobs__LeaseSeconds"] = "3",
            ["Jobs__PollIntervalMs"] = "100",
            ["Smtp__Host"] = "127.0.0.1",
            ["Smtp__Port"] = hanging.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };

        var username = TestAccounts.NewUsername();
        await using (var doomed = await ServiceProcess.StartAsync(environment))
        {
            using var client = doomed.CreateClient();
            await TestAccounts.RegisterAsync(client, username, $"{username}@example.com");
            // The welcome job is running: its SMTP connection is open and will never be answered.
            await Eventually.TrueAsync(() => hanging.Connections > 0, TimeSpan.FromSeconds(30), "the welcome email is attempted");
            Assert.Equal("running", await JobColumnAsync<string>(database, "status"));
            await doomed.KillAsync();
        }

        var (host, port) = Mailbox.Server;
        environment["Smtp__Host"] = host;
        environment["Smtp__Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var restarted = await ServiceProcess.StartAsync(environment);

        // The dead worker's lease expires (3 s); the new process takes the job over and finishes it.
        await Eventually.ValueAsync(() => JobColumnAsync<string>(database, "status"), status => status == "succeeded", TimeSpan.FromSeconds(60),
            "the welcome job completes after the restart");
        Assert.Equal(2, await JobColumnAsync<int>(database, "attempts"));
        Assert.Equal(1L, await ScalarAsync<long>(database, "SELECT count(*) FROM job_effects"));
        Assert.Single(await Mailbox.WaitForAsync($"{username}@example.com", TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Sigterm_stops_claiming_waits_for_running_jobs_then_releases_the_rest()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        await Migrations.MigrateAsync(database.ConnectionString);
        using var hanging = new HangingSmtpServer();
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = database.ConnectionString,
            ["Jobs__ShutdownGraceSeconds"] = "2",
            ["Smtp__Host"] = "127.0.0.1",
            ["Smtp__Port"] = hanging.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        await using var service = await ServiceProcess.StartAsync(environment);
        using var client = service.CreateClient();
        var username = TestAccounts.NewUsername();
        await TestAccounts.RegisterAsync(client, username, $"{username}@example.com");
        await Eventually.TrueAsync(() => hanging.Connections > 0, TimeSpan.FromSeconds(30), "the welcome email is attempted");

        var exitCode = await service.TerminateAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, exitCode);
        Assert.Contains("released 1 unfinished job", service.Output, StringComparison.Ordinal);
        // Handed back at once for another worker, and the interrupted attempt is not counted against it.
        Assert.Equal("queued", await JobColumnAsync<string>(database, "status"));
        Assert.Equal(0, await JobColumnAsync<int>(database, "attempts"));
    }

    private static Task<T> JobColumnAsync<T>(PostgresDatabase database, string column) =>
        ScalarAsync<T>(database, $"SELECT {column} FROM jobs WHERE kind = 'email.welcome'");

    private static async Task<T> ScalarAsync<T>(PostgresDatabase database, string sql)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
