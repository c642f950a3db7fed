using Microsoft.EntityFrameworkCore;
using Storefront.Api.Data;
using Storefront.Api.Http;
using Storefront.Api.Jobs;
using Storefront.Api.Accounts;
using Storefront.Api.Email;

namespace Storefront.Tests.Jobs;

/// <summary>The service on PostgreSQL, with real SMTP and the test-only job kinds.</summary>
public sealed class JobFactory : StorefrontFactory, IAsyncLifetime
{
    public PostgresDatabase Database { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Database = await PostgresDatabase.CreateAsync();
        await Migrations.MigrateAsync(Database.ConnectionString);
        With(Mailbox.Settings).With("ConnectionStrings:Postgres", Database.ConnectionString).With("Jobs:MaxAttempts", "3");
        JobTestSupport.AddTestHandlers(this);
    }

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        await base.DisposeAsync();
        await Database.DisposeAsync();
    }
}

internal sealed record JobOwner(HttpClient Client, int UserId) : IDisposable
{
    public void Dispose() => Client.Dispose();
}

internal static class JobTestSupport
{
    public static StorefrontFactory AddTestHandlers(StorefrontFactory factory) => factory.WithServices(services =>
    {
        services.AddSingleton<IJobHandler, FlakyHandler>();
        services.AddSingleton<IJobHandler, AlwaysFailsHandler>();
        services.AddSingleton<IJobHandler, ExplainedFailureHandler>();
        services.AddSingleton<IJobHandler, ExclusiveHandler>();
        services.AddSingleton<IJobHandler, SlowHandler>();
        services.AddSingleton<IJobHandler, HangingHandler>();
    });

    /// <summary>Queues a test job; with an owner, that user's client sees all of it at GET /jobs/{id}, others its status or nothing.</summary>
    public static async Task<string> EnqueueAsync(IServiceProvider services, string kind, int? ownerId = null)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorefrontDbContext>();
        var job = await scope.ServiceProvider.GetRequiredService<IJobQueue>()
            .EnqueueAsync(db, kind, JsonDocument.Parse("{}").RootElement, JobsJsonContext.Default.JsonElement, ownerId, CancellationToken.None);
        return (job ?? throw new InvalidOperationException($"The {kind} queue is full.")).Id;
    }

    /// <summary>A new user, with a client signed in as them, to own test jobs.</summary>
    public static async Task<JobOwner> OwnerAsync(StorefrontFactory factory)
    {
        var client = await factory.CreateAuthenticatedClientAsync();
        var me = await (await client.GetAsync("/users/me")).ShouldBeJsonAsync<UserResponse>();
        return new JobOwner(client, me.Id);
    }

    /// <summary>Polls GET /jobs/{id} until the job reaches one of the statuses.</summary>
    public static Task<JsonElement> WaitForStatusAsync(HttpClient client, string jobId, TimeSpan timeout, params string[] statuses) =>
        Eventually.ValueAsync(async () => await (await client.GetAsync($"/jobs/{jobId}")).ShouldBeJsonAsync(),
            job => statuses.Contains(job.Deserialize<JobStatusResponse>(HttpAssertions.Answers)!.Status), timeout,
            $"job {jobId} is {string.Join(" or ", statuses)}");

    /// <summary>As <see cref="WaitForStatusAsync"/>, for the user who queued the job: all of it.</summary>
    public static async Task<JobResponse> WaitForJobAsync(HttpClient owner, string jobId, TimeSpan timeout, params string[] statuses) =>
        (await WaitForStatusAsync(owner, jobId, timeout, statuses)).Deserialize<JobResponse>(HttpAssertions.Answers)!;

    /// <summary>Queues a job through an endpoint that answers 202 with its id (/log, /send-email); the id.</summary>
    public static async Task<string> AcceptedJobAsync(HttpResponseMessage response) =>
        (await response.ShouldBeJsonAsync<QueuedJob>(HttpStatusCode.Accepted)).JobId;

    internal sealed record QueuedJob(string JobId);
}

public sealed class JobTests(JobFactory factory) : ClientTests<JobFactory>(factory), IClassFixture<JobFactory>
{
    [Fact]
    public async Task A_job_failing_twice_then_succeeding_ends_succeeded_after_three_attempts()
    {
        using var owner = await JobTestSupport.OwnerAsync(Factory);
        var id = await JobTestSupport.EnqueueAsync(Factory.Services, FlakyHandler.JobKind, owner.UserId);
        var job = await JobTestSupport.WaitForJobAsync(owner.Client, id, TimeSpan.FromSeconds(20), "succeeded", "dead");
        Assert.Equal("succeeded", job.Status);
        Assert.Equal(3, job.Attempts);
        Assert.Null(job.LastError);
        Assert.NotNull(job.FinishedAt);
    }

    [Fact]
    public async Task A_job_that_always_fails_ends_dead_after_the_configured_attempts()
    {
        using var owner = await JobTestSupport.OwnerAsync(Factory);
        var id = await JobTestSupport.EnqueueAsync(Factory.Services, AlwaysFailsHandler.JobKind, owner.UserId);
        var job = await JobTestSupport.WaitForJobAsync(owner.Client, id, TimeSpan.FromSeconds(20), "succeeded", "dead");
        Assert.Equal("dead", job.Status);
        Assert.Equal(3, job.Attempts);
        // An exception's own message may hold anything (addresses, a server's words): the owner reads a fixed sentence.
        Assert.Equal(JobWorker.UnexpectedFailure, job.LastError);
    }

    [Fact]
    public async Task A_failure_the_handler_words_for_the_owner_is_its_last_error()
    {
        using var owner = await JobTestSupport.OwnerAsync(Factory);
        var id = await JobTestSupport.EnqueueAsync(Factory.Services, ExplainedFailureHandler.JobKind, owner.UserId);
        var job = await JobTestSupport.WaitForJobAsync(owner.Client, id, TimeSpan.FromSeconds(20), "dead");
        Assert.Equal(1, job.Attempts); // Permanent: not retried.
        Assert.Equal(ExplainedFailureHandler.Reason, job.LastError);
    }

    [Fact]
    public async Task Log_is_accepted_stored_and_run_with_its_effect_recorded_once()
    {
        var response = await Client.PostJsonTextAsync("/log", """{"event": "checkout", "cart": 42}""");
        var accepted = await response.ShouldBeJsonAsync<LogQueuedResponse>(HttpStatusCode.Accepted);
        Assert.Equal("queued", accepted.Status);
        var id = accepted.JobId;
        Assert.Equal($"/jobs/{id}", response.Headers.Location?.OriginalString);

        await JobTestSupport.WaitForStatusAsync(Client, id, TimeSpan.FromSeconds(20), "succeeded");
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorefrontDbContext>();
        Assert.Equal("log", (await db.Jobs.SingleAsync(j => j.Id == id)).Kind);
        var effect = Assert.Single(await db.JobEffects.Where(e => e.JobId == id).ToListAsync());
        Assert.Contains("checkout", effect.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Finished_jobs_past_their_retention_are_deleted_with_their_effects_and_others_are_kept()
    {
        var done = await JobTestSupport.AcceptedJobAsync(await Client.PostJsonTextAsync("/log", """{"event": "old news"}"""));
        var dead = await JobTestSupport.EnqueueAsync(Factory.Services, AlwaysFailsHandler.JobKind);
        await JobTestSupport.WaitForStatusAsync(Client, done, TimeSpan.FromSeconds(20), "succeeded");
        await JobTestSupport.WaitForStatusAsync(Client, dead, TimeSpan.FromSeconds(20), "dead");
        var waiting = new Job
        {
            Id = Guid.NewGuid().ToString("N"), Kind = "log", Payload = "{}", MaxAttempts = 3,
            RunAfterMs = DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeMilliseconds(), CreatedAt = DateTimeOffset.UtcNow,
        };
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StorefrontDbContext>();
            db.Jobs.Add(waiting);
            await db.SaveChangesAsync();
        }
        var store = Factory.Services.GetRequiredService<JobStore>();

        await store.PurgeFinishedAsync(DateTimeOffset.UtcNow.AddMinutes(-5), 1000, CancellationToken.None);
        await (await Client.GetAsync($"/jobs/{done}")).ShouldBeJsonAsync(); // Ended just now: within retention.

        await store.PurgeFinishedAsync(DateTimeOffset.UtcNow.AddMinutes(5), 1000, CancellationToken.None);
        await (await Client.GetAsync($"/jobs/{done}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await Client.GetAsync($"/jobs/{dead}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        var kept = await (await Client.GetAsync($"/jobs/{waiting.Id}")).ShouldBeJsonAsync<JobStatusResponse>();
        Assert.Equal("queued", kept.Status);
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StorefrontDbContext>();
            Assert.False(await db.JobEffects.AnyAsync(e => e.JobId == done));
            await db.Jobs.Where(j => j.Id == waiting.Id).ExecuteDeleteAsync();
        }
    }

    [Theory]
    [InlineData("[1, 2, 3]")]
    [InlineData("\"just a string\"")]
    public async Task Log_wants_a_json_object(string body)
    {
        await (await Client.PostJsonTextAsync("/log", body)).ShouldBeValidationProblemAsync("body");
    }

    [Fact]
    public async Task Log_rejects_malformed_json_and_bodies_over_64_kb()
    {
        await (await Client.PostJsonTextAsync("/log", "{\"a\": ")).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        var big = $$"""{"padding": "{{new string('x', 70 * 1024)}}"}""";
        await (await Client.PostJsonTextAsync("/log", big)).ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Job_ids_are_checked_and_unknown_jobs_are_404()
    {
        await (await Client.GetAsync("/jobs/not-a-job-id")).ShouldBeValidationProblemAsync("job_id");
        await (await Client.GetAsync($"/jobs/{Guid.NewGuid():N}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Send_email_queues_a_job_and_the_mail_reaches_the_smtp_server()
    {
        using var client = await Factory.CreateAuthenticatedClientAsync();
        var recipient = $"{Guid.NewGuid():N}@example.com";
        var response = await client.PostAsync($"/send-email?email={recipient}", null);
        var accepted = await response.ShouldBeJsonAsync<EmailQueuedResponse>(HttpStatusCode.Accepted);
        Assert.Equal("Email sending started", accepted.Message);
        await JobTestSupport.WaitForStatusAsync(client, accepted.JobId, TimeSpan.FromSeconds(20), "succeeded");
        Assert.Single(await Mailbox.WaitForAsync(recipient, TimeSpan.FromSeconds(5)));

        await (await client.PostAsync("/send-email?email=nope", null)).ShouldBeValidationProblemAsync("email");
        await (await client.PostAsync("/send-email", null)).ShouldBeValidationProblemAsync("email");
    }
}

/// <summary>Several instances on one PostgreSQL database share the jobs without ever running one twice at once.</summary>
public sealed class SharedWorkerTests
{
    [Fact]
    public async Task Two_instances_never_run_one_job_at_the_same_time()
    {
        await using var instances = await StartAsync("Jobs:Concurrency", "8");
        var (first, second) = (instances.First, instances.Second);
        using var firstClient = first.CreateClient();

        var ids = new List<string>();
        for (var i = 0; i < 60; i++) ids.Add(await JobTestSupport.EnqueueAsync(i % 2 == 0 ? first.Services : second.Services, ExclusiveHandler.JobKind));
        foreach (var id in ids)
            await JobTestSupport.WaitForStatusAsync(firstClient, id, TimeSpan.FromSeconds(60), "succeeded");

        Assert.Equal(0, ExclusiveHandler.Overlaps);
        Assert.All(ids, id => Assert.Equal(1, ExclusiveHandler.Runs[id]));
        await using var scope = first.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorefrontDbContext>();
        Assert.Equal(ids.Count, await db.JobEffects.CountAsync(e => ids.Contains(e.JobId)));
    }

    [Fact]
    public async Task A_job_longer_than_its_lease_stays_with_its_live_worker()
    {
        // A 1 s lease against a 2.5 s job: without renewal the other instance would take it over mid-run.
        await using var instances = await StartAsync("Jobs:LeaseSeconds", "1");
        using var owner = await JobTestSupport.OwnerAsync(instances.Second);

        var id = await JobTestSupport.EnqueueAsync(instances.First.Services, SlowHandler.JobKind, owner.UserId);
        var job = await JobTestSupport.WaitForJobAsync(owner.Client, id, TimeSpan.FromSeconds(30), "succeeded", "dead");

        Assert.Equal("succeeded", job.Status);
        Assert.Equal(1, job.Attempts);
        Assert.Equal(1, SlowHandler.Runs[id]);
    }

    /// <summary>Both instances get the test job handlers and the one extra setting.</summary>
    private static async Task<TwoInstances> StartAsync(string key, string value)
    {
        var instances = await TwoInstances.StartAsync();
        foreach (var instance in instances.Both) JobTestSupport.AddTestHandlers(instance.With(key, value));
        return instances;
    }
}

/// <summary>An attempt that never returns is cancelled after Jobs__TimeoutSeconds and counts as a failed attempt.</summary>
[ServerFree]
public sealed class JobTimeoutTests
{
    [Fact]
    public async Task A_hung_attempt_is_cancelled_after_its_timeout_and_retried_until_dead()
    {
        await using var factory = new SqliteStorefrontFactory();
        factory.With("Jobs:TimeoutSeconds", "1").With("Jobs:MaxAttempts", "2");
        JobTestSupport.AddTestHandlers(factory);
        using var owner = await JobTestSupport.OwnerAsync(factory);
        var client = owner.Client;

        var id = await JobTestSupport.EnqueueAsync(factory.Services, HangingHandler.JobKind, owner.UserId);
        var job = await JobTestSupport.WaitForJobAsync(client, id, TimeSpan.FromSeconds(30), "dead");

        Assert.Equal(2, job.Attempts);
        Assert.StartsWith("Timed out after 1 s", job.LastError, StringComparison.Ordinal);
        Assert.Equal(0, factory.Services.GetRequiredService<JobWorker>().RunningCount);

        // The same retention purge on SQLite as on PostgreSQL (JobTests): the dead job goes once past its cutoff, and so
        // does the owner's welcome mail, sent to the pickup folder when they registered.
        var store = factory.Services.GetRequiredService<JobStore>();
        await Eventually.TrueAsync(async () => (await store.CountUnfinishedAsync(CancellationToken.None)) == (0, 0, 0), TimeSpan.FromSeconds(20),
            "the welcome mail is sent");
        Assert.Equal(2, await store.PurgeFinishedAsync(DateTimeOffset.UtcNow.AddMinutes(5), 1000, CancellationToken.None));
        await (await client.GetAsync($"/jobs/{id}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }
}
