using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storefront.Api.Data;
using Storefront.Api.Http;
using Storefront.Api.Jobs;
using Storefront.Tests.Infrastructure;
using Storefront.Tests.Infrastructure.Servers;

namespace Storefront.Tests.Jobs;

/// <summary>The service on PostgreSQL, with real SMTP and the test-only job kinds.</summary>
public sealed class JobFactory : StorefrontFactory, IAsyncLifetime
{
    public PostgresDatabase Database { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Database = await PostgresDatabase.CreateAsync();
        await Migrations.MigrateAsync(Database.ConnectionString);
        var (host, port) = Mailbox.Server;
        With("ConnectionStrings:Postgres", Database.ConnectionString)
            .With("Smtp:Host", host).With("Smtp:Port", port.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .With("Jobs:MaxAttempts", "3");
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
        var me = await (await client.GetAsync("/users/me")).ShouldBeJsonAsync();
        return new JobOwner(client, me.GetProperty("id").GetInt32());
    }

    /// <summary>Polls GET /jobs/{id} until the job reaches one of the statuses.</summary>
    public static Task<JsonElement> WaitForStatusAsync(HttpClient client, string jobId, TimeSpan timeout, params string[] statuses) =>
        Eventually.ValueAsync(async () => await (await client.GetAsync($"/jobs/{jobId}")).ShouldBeJsonAsync(),
            job => statuses.Contains(job.GetProperty("status").GetString()), timeout,
            $"job {jobId} is {string.Join(" or ", statuses)}");
}

public sealed class JobTests(JobFactory factory) : IClassFixture<JobFactory>, IDisposable
{
    private readonly HttpClient _client = factory.CreateClient();

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task A_job_failing_twice_then_succeeding_ends_succeeded_after_three_attempts()
    {
        using var owner = await JobTestSupport.OwnerAsync(factory);
        var id = await JobTestSupport.EnqueueAsync(factory.Services, FlakyHandler.JobKind, owner.UserId);
        var job = await JobTestSupport.WaitForStatusAsync(owner.Client, id, TimeSpan.FromSeconds(20), "succeeded", "dead");
        Assert.Equal("succeeded", job.GetProperty("status").GetString());
        Assert.Equal(3, job.GetProperty("attempts").GetInt32());
        Assert.Equal(JsonValueKind.Null, job.GetProperty("last_error").ValueKind);
        Assert.Equal(JsonValueKind.String, job.GetProperty("finished_at").ValueKind);
    }

    [Fact]
    public async Task A_job_that_always_fails_ends_dead_after_the_configured_attempts()
    {
        using var owner = await JobTestSupport.OwnerAsync(factory);
        var id = await JobTestSupport.EnqueueAsync(factory.Services, AlwaysFailsHandler.JobKind, owner.UserId);
        var job = await JobTestSupport.WaitForStatusAsync(owner.Client, id, TimeSpan.FromSeconds(20), "succeeded", "dead");
        Assert.Equal("dead", job.GetProperty("status").GetString());
        Assert.Equal(3, job.GetProperty("attempts").GetInt32());
        // An exception's own message may hold anything (addresses, a server's words): the owner reads a fixed sentence.
        Assert.Equal(JobWorker.UnexpectedFailure, job.GetProperty("last_error").GetString());
    }

    [Fact]
    public async Task A_failure_the_handler_words_for_the_owner_is_its_last_error()
    {
        using var owner = await JobTestSupport.OwnerAsync(factory);
        var id = await JobTestSupport.EnqueueAsync(factory.Services, ExplainedFailureHandler.JobKind, owner.UserId);
        var job = await JobTestSupport.WaitForStatusAsync(owner.Client, id, TimeSpan.FromSeconds(20), "dead");
        Assert.Equal(1, job.GetProperty("attempts").GetInt32()); // Permanent: not retried.
        Assert.Equal(ExplainedFailureHandler.Reason, job.GetProperty("last_error").GetString());
    }

    [Fact]
    public async Task Log_is_accepted_stored_and_run_with_its_effect_recorded_once()
    {
        var response = await _client.PostJsonTextAsync("/log", """{"event": "checkout", "cart": 42}""");
        var accepted = await response.ShouldBeJsonAsync(HttpStatusCode.Accepted);
        Assert.Equal("queued", accepted.GetProperty("status").GetString());
        var id = accepted.GetProperty("job_id").GetString()!;
        Assert.Equal($"/jobs/{id}", response.Headers.Location?.OriginalString);

        await JobTestSupport.WaitForStatusAsync(_client, id, TimeSpan.FromSeconds(20), "succeeded");
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorefrontDbContext>();
        Assert.Equal("log", (await db.Jobs.SingleAsync(j => j.Id == id)).Kind);
        var effect = Assert.Single(await db.JobEffects.Where(e => e.JobId == id).ToListAsync());
        Assert.Contains("checkout", effect.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Finished_jobs_past_their_retention_are_deleted_with_their_effects_and_others_are_kept()
    {
        var done = (await (await _client.PostJsonTextAsync("/log", """{"event": "old news"}""")).ShouldBeJsonAsync(HttpStatusCode.Accepted))
            .GetProperty("job_id").GetString()!;
        var dead = await JobTestSupport.EnqueueAsync(factory.Services, AlwaysFailsHandler.JobKind);
        await JobTestSupport.WaitForStatusAsync(_client, done, TimeSpan.FromSeconds(20), "succeeded");
        await JobTestSupport.WaitForStatusAsync(_client, dead, TimeSpan.FromSeconds(20), "dead");
        var waiting = new Job
        {
            Id = Guid.NewGuid().ToString("N"), Kind = "log", Payload = "{}", MaxAttempts = 3,
            RunAfterMs = DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeMilliseconds(), CreatedAt = DateTimeOffset.UtcNow,
        };
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StorefrontDbContext>();
            db.Jobs.Add(waiting);
            await db.SaveChangesAsync();
        }
        var store = factory.Services.GetRequiredService<JobStore>();

        await store.PurgeFinishedAsync(DateTimeOffset.UtcNow.AddMinutes(-5), 1000, CancellationToken.None);
        await (await _client.GetAsync($"/jobs/{done}")).ShouldBeJsonAsync(); // Ended just now: within retention.

        await store.PurgeFinishedAsync(DateTimeOffset.UtcNow.AddMinutes(5), 1000, CancellationToken.None);
        await (await _client.GetAsync($"/jobs/{done}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await _client.GetAsync($"/jobs/{dead}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        var kept = await (await _client.GetAsync($"/jobs/{waiting.Id}")).ShouldBeJsonAsync();
        Assert.Equal("queued", kept.GetProperty("status").GetString());
        await using (var scope = factory.Services.CreateAsyncScope())
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
        await (await _client.PostJsonTextAsync("/log", body)).ShouldBeValidationProblemAsync("body");
    }

    [Fact]
    public async Task Log_rejects_malformed_json_and_bodies_over_64_kb()
    {
        await (await _client.PostJsonTextAsync("/log", "{\"a\": ")).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        var big = $$"""{"padding": "{{new string('x', 70 * 1024)}}"}""";
        await (await _client.PostJsonTextAsync("/log", big)).ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Job_ids_are_checked_and_unknown_jobs_are_404()
    {
        await (await _client.GetAsync("/jobs/not-a-job-id")).ShouldBeValidationProblemAsync("job_id");
        await (await _client.GetAsync($"/jobs/{Guid.NewGuid():N}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Send_email_queues_a_job_and_the_mail_reaches_the_smtp_server()
    {
        using var client = await factory.CreateAuthenticatedClientAsync();
        var recipient = $"{Guid.NewGuid():N}@example.com";
        var response = await client.PostAsync($"/send-email?email={recipient}", null);
        var accepted = await response.ShouldBeJsonAsync(HttpStatusCode.Accepted);
        Assert.Equal("Email sending started", accepted.GetProperty("message").GetString());
        await JobTestSupport.WaitForStatusAsync(client, accepted.GetProperty("job_id").GetString()!, TimeSpan.FromSeconds(20), "succeeded");
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
        await using var instances = await TwoInstances.StartAsync("Jobs:Concurrency", "8");
        var (first, second, firstClient) = (instances.First, instances.Second, instances.FirstClient);

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
        await using var instances = await TwoInstances.StartAsync("Jobs:LeaseSeconds", "1");
        using var owner = await JobTestSupport.OwnerAsync(instances.Second);

        var id = await JobTestSupport.EnqueueAsync(instances.First.Services, SlowHandler.JobKind, owner.UserId);
        var job = await JobTestSupport.WaitForStatusAsync(owner.Client, id, TimeSpan.FromSeconds(30), "succeeded", "dead");

        Assert.Equal("succeeded", job.GetProperty("status").GetString());
        Assert.Equal(1, job.GetProperty("attempts").GetInt32());
        Assert.Equal(1, SlowHandler.Runs[id]);
    }
}

/// <summary>Two running instances (SQLite for nothing but their own files) sharing one fresh PostgreSQL for jobs.</summary>
internal sealed class TwoInstances : IAsyncDisposable
{
    private PostgresDatabase _database = null!;

    public SqliteStorefrontFactory First { get; } = new();
    public SqliteStorefrontFactory Second { get; } = new();
    public HttpClient FirstClient { get; private set; } = null!;
    public HttpClient SecondClient { get; private set; } = null!;

    /// <summary>Both instances get the test job handlers and the one extra setting.</summary>
    public static async Task<TwoInstances> StartAsync(string key, string value)
    {
        var instances = new TwoInstances { _database = await PostgresDatabase.CreateAsync() };
        await Migrations.MigrateAsync(instances._database.ConnectionString);
        foreach (var instance in new[] { instances.First, instances.Second })
        {
            instance.With("ConnectionStrings:Postgres", instances._database.ConnectionString).With(key, value);
            JobTestSupport.AddTestHandlers(instance);
        }
        instances.FirstClient = instances.First.CreateClient();
        instances.SecondClient = instances.Second.CreateClient();
        return instances;
    }

    public async ValueTask DisposeAsync()
    {
        FirstClient.Dispose();
        SecondClient.Dispose();
        await First.DisposeAsync();
        await Second.DisposeAsync();
        await _database.DisposeAsync();
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
        var job = await JobTestSupport.WaitForStatusAsync(client, id, TimeSpan.FromSeconds(30), "dead");

        Assert.Equal(2, job.GetProperty("attempts").GetInt32());
        Assert.StartsWith("Timed out after 1 s", job.GetProperty("last_error").GetString(), StringComparison.Ordinal);
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
