using Microsoft.EntityFrameworkCore;
using Storefront.Api.Data;
using Storefront.Api.Jobs;

namespace Storefront.Tests.Jobs;

/// <summary>
/// No anonymous client can fill the jobs table or make users' mail wait. /log is rate limited per
/// client; each job kind has a queue depth cap (503 + Retry-After, nothing stored); mail for users is claimed before
/// bulk jobs; /send-email is limited per user and per recipient.
/// </summary>
public sealed class AnonymousWriteTests
{
    [Fact]
    public async Task Log_is_rate_limited_per_client_with_retry_after()
    {
        await using var host = new SqliteStorefrontFactory();
        host.With("RateLimits:LogPermits", "3");
        using var client = host.CreateClient();
        for (var i = 0; i < 3; i++) await (await client.PostAsJsonAsync("/log", new { i })).ShouldBeJsonAsync(HttpStatusCode.Accepted);
        var limited = await client.PostAsJsonAsync("/log", new { i = 3 });
        await limited.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.NotNull(limited.Headers.RetryAfter);
    }

    [Fact]
    public async Task Send_email_is_limited_per_user_and_per_recipient()
    {
        await using var host = new SqliteStorefrontFactory();
        host.With("RateLimits:SendEmailPermits", "3").With("RateLimits:RecipientPermits", "2").With("Jobs:WorkerEnabled", "false");
        using var first = await host.CreateAuthenticatedClientAsync();
        using var second = await host.CreateAuthenticatedClientAsync();

        // Per recipient, whoever asks: two users together get two messages to one address.
        await (await first.PostAsync("/send-email?email=victim@example.com", null)).ShouldBeJsonAsync(HttpStatusCode.Accepted);
        await (await second.PostAsync("/send-email?email=VICTIM@example.com", null)).ShouldBeJsonAsync(HttpStatusCode.Accepted);
        var toVictim = await second.PostAsync("/send-email?email=victim@example.com", null);
        Assert.Contains("recipient", (await toVictim.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests)).Detail,
            StringComparison.Ordinal);
        Assert.NotNull(toVictim.Headers.RetryAfter);

        // Per user: the first has one left, then none, whatever the address.
        await (await first.PostAsync("/send-email?email=a@example.com", null)).ShouldBeJsonAsync(HttpStatusCode.Accepted);
        await (await first.PostAsync("/send-email?email=b@example.com", null)).ShouldBeJsonAsync(HttpStatusCode.Accepted);
        var perUser = await first.PostAsync("/send-email?email=c@example.com", null);
        await perUser.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.NotNull(perUser.Headers.RetryAfter);
    }
}

/// <summary>The queue depth cap and the priorities, on both stores.</summary>
public abstract class JobQueueBoundsTests(StorefrontFactory factory)
{
    [Fact]
    public async Task A_full_queue_for_a_kind_is_a_503_with_retry_after_and_stores_nothing()
    {
        factory.With("Jobs:WorkerEnabled", "false").With("Jobs:MaxQueuedPerKind", "3");
        using var client = factory.CreateClient();
        for (var i = 0; i < 3; i++) await (await client.PostAsJsonAsync("/log", new { i })).ShouldBeJsonAsync(HttpStatusCode.Accepted);
        var full = await client.PostAsJsonAsync("/log", new { i = 3, marker = "refused-entry" });
        await full.ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.NotNull(full.Headers.RetryAfter);

        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorefrontDbContext>();
        Assert.Equal(3, await db.Jobs.CountAsync(j => j.Kind == LogJobHandler.JobKind));
        Assert.False(await db.Jobs.AnyAsync(j => j.Payload.Contains("refused-entry")));

        // Another kind has a queue of its own: a registration (and its welcome mail) still goes through.
        var username = TestAccounts.NewUsername();
        await TestAccounts.RegisterAsync(client, username, $"{username}@example.com");
    }
}

public sealed class SqliteJobQueueBoundsTests(SqliteStorefrontFactory factory)
    : JobQueueBoundsTests(factory), IClassFixture<SqliteStorefrontFactory>;

public sealed class PostgresJobQueueBoundsTests(PostgresStorefrontFactory factory)
    : JobQueueBoundsTests(factory), IClassFixture<PostgresStorefrontFactory>;

/// <summary>Users' mail is claimed before bulk work that was queued earlier, on both stores.</summary>
public abstract class JobPriorityTests(StorefrontFactory factory)
{
    [Fact]
    public async Task A_welcome_mail_is_sent_before_log_jobs_queued_ahead_of_it()
    {
        using var gate = new WorkerGate();
        factory.With("Jobs:Concurrency", "1").WithServices(services => services.AddSingleton<IJobHandler>(new GateHandler(gate)));
        using var client = factory.CreateClient();
        // The one worker slot is held while the backlog builds, so everything below is due at once when it frees.
        await JobTestSupport.EnqueueAsync(factory.Services, GateHandler.JobKind);
        await gate.Entered;
        for (var i = 0; i < 20; i++) await (await client.PostAsJsonAsync("/log", new { i })).ShouldBeJsonAsync(HttpStatusCode.Accepted);
        var username = TestAccounts.NewUsername();
        await TestAccounts.RegisterAsync(client, username, $"{username}@example.com");
        gate.Release();

        await using var check = factory.Services.CreateAsyncScope();
        var store = check.ServiceProvider.GetRequiredService<StorefrontDbContext>();
        var welcome = await Eventually.ValueAsync(
            () => store.Jobs.Where(j => j.Kind == "email.welcome" && j.Payload.Contains(username)).Select(j => new { j.Status, j.RunAfterMs }).SingleAsync(),
            j => j.Status == JobStatus.Succeeded, TimeSpan.FromSeconds(30), "the welcome mail is sent");
        // A finished job's run_after_ms is when it ended: no log job ended before the welcome mail did.
        var logsBefore = await store.Jobs.CountAsync(j => j.Kind == LogJobHandler.JobKind && j.Status == JobStatus.Succeeded && j.RunAfterMs < welcome.RunAfterMs);
        Assert.Equal(0, logsBefore);
    }

    private sealed class GateHandler(WorkerGate gate) : IJobHandler
    {
        public const string JobKind = "test.priority-gate";

        public string Kind => JobKind;

        public async Task<string> RunAsync(JobContext job, CancellationToken cancellationToken)
        {
            await Task.Run(gate.Hold, cancellationToken);
            return "held";
        }
    }
}

public sealed class SqliteJobPriorityTests(SqliteStorefrontFactory factory)
    : JobPriorityTests(factory), IClassFixture<SqliteStorefrontFactory>;

public sealed class PostgresJobPriorityTests(PostgresStorefrontFactory factory)
    : JobPriorityTests(factory), IClassFixture<PostgresStorefrontFactory>;
