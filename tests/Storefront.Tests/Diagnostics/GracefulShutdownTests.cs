using System.Globalization;
using Npgsql;

namespace Storefront.Tests.Diagnostics;

/// <summary>
/// Two real instances on one PostgreSQL, as behind a balancer: SIGTERM one of them and watch it drain (readiness 503,
/// Connection: close, still serving), finish what it holds, hand its job to the other, and exit 0.
/// </summary>
public sealed class GracefulShutdownTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Sigterm_drains_with_readiness_503_while_serving_then_finishes_the_slow_request_and_exits_0()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        await Migrations.MigrateAsync(database.ConnectionString);
        var environment = new Dictionary<string, string> { ["ConnectionStrings__Postgres"] = database.ConnectionString };
        await using var a = await ServiceProcess.StartAsync(new Dictionary<string, string>(environment) { ["Shutdown__DrainDelaySeconds"] = "3" });
        await using var b = await ServiceProcess.StartAsync(environment);
        using var clientA = a.CreateClient();
        using var clientB = b.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await clientA.GetAsync("/health/ready")).StatusCode);

        // Outlasts the drain, so it is still running when Kestrel stops accepting.
        var slow = clientA.GetAsync("/slow?seconds=6");
        await Eventually.ValueAsync(() => ActiveRequestsAsync(clientA), n => n >= 2, Patience, "the slow request is in flight (the scrape is the other)");
        using var watchB = new CancellationTokenSource();
        var bAnswers = KeepAskingAsync(clientB, watchB.Token);

        a.Terminate();
        var ready = await Eventually.ValueAsync(() => clientA.GetAsync("/health/ready"), r => r.StatusCode == HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(10), "A's readiness turns 503 on SIGTERM");
        Assert.Contains("shutting down", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var served = await clientA.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.True(served.Headers.ConnectionClose, $"Connection: close while draining; headers: {served.Headers}");

        var slowAnswer = await slow;
        Assert.Equal(HttpStatusCode.OK, slowAnswer.StatusCode);
        Assert.Contains("Completed after 6 seconds", await slowAnswer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await a.WaitForExitAsync(Patience));
        Assert.Contains("Stopping: readiness answers 503; serving 3 s more", a.Output, StringComparison.Ordinal);

        await watchB.CancelAsync();
        var (ok, failed) = await bAnswers;
        Assert.True(ok > 0 && failed.Count == 0, $"B answered {ok} times throughout; failures: {string.Join("; ", failed)}");
        Assert.False((await clientB.GetAsync("/")).Headers.ConnectionClose == true, "B is not draining: no Connection: close");
    }

    [Fact]
    public async Task A_job_running_at_sigterm_is_handed_back_and_finished_by_the_other_instance_which_also_gets_jobs_enqueued_during_the_drain()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        await Migrations.MigrateAsync(database.ConnectionString);
        using var hanging = new HangingSmtpServer();
        var (mailHost, mailPort) = Mailbox.Server;
        await using var a = await ServiceProcess.StartAsync(new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = database.ConnectionString,
            ["Shutdown__DrainDelaySeconds"] = "2",
            ["Jobs__ShutdownGraceSeconds"] = "1",
            ["Smtp__Host"] = "127.0.0.1",
            ["Smtp__Port"] = hanging.Port.ToString(CultureInfo.InvariantCulture),
        });
        using var clientA = a.CreateClient();
        var first = TestAccounts.NewUsername();
        await TestAccounts.RegisterAsync(clientA, first, $"{first}@example.com");
        // A's welcome job is running: its SMTP connection is open and will never be answered.
        await Eventually.TrueAsync(() => hanging.Connections > 0, Patience, "A attempts the first welcome email");

        await using var b = await ServiceProcess.StartAsync(new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = database.ConnectionString,
            ["Jobs__PollIntervalMs"] = "100",
            ["Smtp__Host"] = mailHost,
            ["Smtp__Port"] = mailPort.ToString(CultureInfo.InvariantCulture),
        });

        a.Terminate();
        await Eventually.TrueAsync(async () => (await clientA.GetAsync("/health/ready")).StatusCode == HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(10), "A is draining");
        // A still serves during its drain, but its worker no longer claims: the enqueue wakes A's worker at once,
        // so without that rule A would take this job (a second hanging SMTP connection) rather than B.
        var second = TestAccounts.NewUsername();
        await TestAccounts.RegisterAsync(clientA, second, $"{second}@example.com");

        Assert.Equal(0, await a.WaitForExitAsync(Patience));
        Assert.Contains("released 1 unfinished job", a.Output, StringComparison.Ordinal);
        Assert.Single(await Mailbox.WaitForAsync($"{first}@example.com", Patience));
        Assert.Single(await Mailbox.WaitForAsync($"{second}@example.com", Patience));
        Assert.Equal(1, hanging.Connections);
        await Eventually.ValueAsync(() => ScalarAsync<long>(database, "SELECT count(*) FROM jobs WHERE kind = 'email.welcome' AND status = 'succeeded'"),
            n => n == 2, Patience, "both welcome jobs succeed on B");
    }

    /// <summary>Sum of http.server.active_requests over A's routes, this scrape included.</summary>
    private static async Task<double> ActiveRequestsAsync(HttpClient client) =>
        PrometheusText.Parse(await client.GetStringAsync("/metrics"))
            .Where(f => f.Name.StartsWith("http_server_active_requests", StringComparison.Ordinal))
            .SelectMany(f => f.Samples).Sum(s => s.Value);

    /// <summary>Asks B for / ten times a second (a steady client, not a wait) until told to stop.</summary>
    private static async Task<(int Ok, List<string> Failed)> KeepAskingAsync(HttpClient client, CancellationToken stop)
    {
        var ok = 0;
        var failed = new List<string>();
        using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        try
        {
            do
            {
                try
                {
                    var response = await client.GetAsync("/", stop);
                    if (response.IsSuccessStatusCode) ok++;
                    else failed.Add(((int)response.StatusCode).ToString(CultureInfo.InvariantCulture));
                }
                catch (HttpRequestException e)
                {
                    failed.Add(e.Message);
                }
            } while (await pace.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        return (ok, failed);
    }

    private static async Task<T> ScalarAsync<T>(PostgresDatabase database, string sql)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
