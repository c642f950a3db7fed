using System.Collections.Concurrent;
using Microsoft.AspNetCore.Identity;
using Storefront.Api.Accounts;

namespace Storefront.Tests.Accounts;

/// <summary>The real PBKDF2 hasher, watched: which threads run it; optionally each verification is held until released.</summary>
internal sealed class WatchedHasher(WorkerGate? verifyGate = null) : IPasswordHasher<User>
{
    private readonly PasswordHasher<User> _inner = new();

    public ConcurrentQueue<(string Call, bool OnThreadPool, string? Thread)> Calls { get; } = new();

    public string HashPassword(User user, string password)
    {
        Record("hash", null);
        return _inner.HashPassword(user, password);
    }

    public PasswordVerificationResult VerifyHashedPassword(User user, string hashedPassword, string providedPassword)
    {
        Record("verify", verifyGate);
        return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
    }

    private void Record(string call, WorkerGate? gate)
    {
        Calls.Enqueue((call, Thread.CurrentThread.IsThreadPoolThread, Thread.CurrentThread.Name));
        gate?.Hold();
    }
}

/// <summary>Password hashing runs on the hashing runner's own threads, behind a bounded queue, never on the request thread pool.</summary>
[ServerFree]
public sealed class PasswordHashingTests
{
    [Fact]
    public async Task Register_and_every_kind_of_login_hash_on_the_runners_dedicated_threads()
    {
        var hasher = new WatchedHasher();
        await using var factory = new SqliteStorefrontFactory();
        factory.With("PasswordHashing:Threads", "2").WithServices(services => services.AddSingleton<IPasswordHasher<User>>(hasher));
        using var client = factory.CreateClient();
        var username = TestAccounts.NewUsername();

        await TestAccounts.RegisterAsync(client, username, $"{username}@example.com");
        await (await TestAccounts.LoginAsync(client, username, TestAccounts.Password)).ShouldBeJsonAsync();
        await (await TestAccounts.LoginAsync(client, username, "not the passphrase")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        await (await TestAccounts.LoginAsync(client, TestAccounts.NewUsername(), "not the passphrase")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);

        var calls = hasher.Calls.ToList();
        // One verification per login, the unknown user's against the dummy hash like a real one; two hashes: the
        // registration's and the dummy itself, made when first needed.
        Assert.Equal(3, calls.Count(c => c.Call == "verify"));
        Assert.Equal(2, calls.Count(c => c.Call == "hash"));
        Assert.All(calls, c => Assert.False(c.OnThreadPool, $"{c.Call} ran on a thread-pool thread ({c.Thread ?? "unnamed"})"));
        Assert.All(calls, c => Assert.StartsWith("passwords-worker-", c.Thread ?? "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_full_hashing_queue_answers_503_with_retry_after()
    {
        using var gate = new WorkerGate();
        var hasher = new WatchedHasher(gate);
        await using var factory = new SqliteStorefrontFactory();
        // One worker, one place in the queue, a deadline far beyond the test's own waits: only the queue bound may refuse.
        factory.With("PasswordHashing:Threads", "1").With("PasswordHashing:QueueCapacity", "1").With("PasswordHashing:DeadlineMs", "60000")
            .WithServices(services => services.AddSingleton<IPasswordHasher<User>>(hasher));
        using var client = factory.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(90);

        var held = TestAccounts.LoginAsync(client, "held_user", "some password");
        await gate.Entered; // The only worker is inside a hash.
        // Two more: one takes the only place in the queue, the other is refused at once, whichever arrives first.
        var more = new[] { TestAccounts.LoginAsync(client, "second_user", "some password"), TestAccounts.LoginAsync(client, "third_user", "some password") };
        var refused = await await Task.WhenAny(more);
        await refused.ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);

        gate.Release();
        Assert.Equal(HttpStatusCode.Unauthorized, (await held).StatusCode);
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.ServiceUnavailable],
            (await Task.WhenAll(more)).Select(r => r.StatusCode).Order());
    }

    [Theory]
    [InlineData("PasswordHashing:Threads", "-1", "Threads")]
    [InlineData("PasswordHashing:QueueCapacity", "0", "QueueCapacity")]
    [InlineData("PasswordHashing:DeadlineMs", "0", "DeadlineMs")]
    public void An_invalid_hashing_setting_stops_startup_naming_it(string key, string value, string named)
    {
        using var factory = new SqliteStorefrontFactory();
        factory.With(key, value);
        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains(named, error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "3", 3)] // The older name alone still counts...
    [InlineData("1", "3", 1)] // ...and the new one wins.
    public async Task Threads_come_from_PasswordHashing_Threads_or_its_older_name(string? threads, string hashConcurrency, int expected)
    {
        await using var factory = new SqliteStorefrontFactory();
        factory.With("RateLimits:HashConcurrency", hashConcurrency);
        if (threads is not null) factory.With("PasswordHashing:Threads", threads);
        using var client = factory.CreateClient();
        Assert.Equal(expected, factory.Services.GetRequiredService<PasswordHashing>().Runner.ThreadCount);
    }
}
