using Microsoft.Extensions.Logging;
using Storefront.Api.RateLimits;

namespace Storefront.Tests.RateLimits;

/// <summary>
/// Two instances on one Redis count one window per client: together they give the configured permits. Each test's
/// client is an address of its own (forwarded by a trusted "proxy"), so nothing else on the Redis shares its count.
/// </summary>
public sealed class SharedRateLimitTests
{
    private static readonly string RedisWindowsCategory = typeof(RedisWindows).FullName!;

    [Fact]
    public async Task Two_instances_together_give_the_configured_logins_then_both_answer_429()
    {
        await using var instances = await TwoInstances.StartAsync(SharedRedis.NextDatabase(), permits: 3, windowSeconds: 60);
        var (a, b) = (instances.A, instances.B);
        var client = NewAddress();

        Assert.Equal(HttpStatusCode.Unauthorized, (await TestAccounts.LoginFromAsync(a, client)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await TestAccounts.LoginFromAsync(b, client)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await TestAccounts.LoginFromAsync(a, client)).StatusCode);
        var limited = await TestAccounts.LoginFromAsync(b, client);
        await limited.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.InRange(limited.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 60);
        limited = await TestAccounts.LoginFromAsync(a, client);
        await limited.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.InRange(limited.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 60);

        // Another client's window is its own.
        Assert.Equal(HttpStatusCode.Unauthorized, (await TestAccounts.LoginFromAsync(b, NewAddress())).StatusCode);
    }

    [Fact]
    public async Task When_the_shared_window_ends_a_new_one_gives_permits_again()
    {
        await using var instances = await TwoInstances.StartAsync(SharedRedis.NextDatabase(), permits: 2, windowSeconds: 2);
        var (a, b) = (instances.A, instances.B);
        var client = NewAddress();

        // A slow machine may cross a window boundary on the way: then it takes a few more attempts to reach the limit.
        var limited = await Eventually.ValueAsync(() => TestAccounts.LoginFromAsync(a, client), r => r.StatusCode != HttpStatusCode.Unauthorized,
            TimeSpan.FromSeconds(30), "a 429 once the window's permits are used");
        await limited.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.InRange(limited.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 2);

        var next = await Eventually.ValueAsync(() => TestAccounts.LoginFromAsync(b, client), r => r.StatusCode != HttpStatusCode.TooManyRequests,
            TimeSpan.FromSeconds(30), "a permit again once the window has ended");
        Assert.Equal(HttpStatusCode.Unauthorized, next.StatusCode);
    }

    [Fact]
    public async Task While_redis_is_down_each_instance_counts_its_own_and_sharing_resumes_when_it_returns()
    {
        await using var redis = await RedisServer.StartAsync();
        var firstLogs = new LogCapture();
        var secondLogs = new LogCapture();
        await using var instances = await TwoInstances.StartAsync(redis.ConnectionString, permits: 2, windowSeconds: 60, firstLogs, secondLogs);
        var (a, b) = (instances.A, instances.B);
        var warningsBefore = (Warnings(firstLogs), Warnings(secondLogs));

        await redis.StopAsync();
        // Readiness stays 200 (degraded is ready) and says what is missing.
        await RateLimitsAsync(a, "degraded");
        await RateLimitsAsync(b, "degraded");

        // Each instance gives the permits of its own count, then its own 429: looser, never a 5xx.
        var client = NewAddress();
        foreach (var instance in new[] { a, b })
        {
            for (var i = 0; i < 2; i++) Assert.Equal(HttpStatusCode.Unauthorized, (await TestAccounts.LoginFromAsync(instance, client)).StatusCode);
            var limited = await TestAccounts.LoginFromAsync(instance, client);
            await limited.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests);
            Assert.NotNull(limited.Headers.RetryAfter);
        }
        // One warning per instance for the whole outage, not one per request.
        Assert.Equal((warningsBefore.Item1 + 1, warningsBefore.Item2 + 1), (Warnings(firstLogs), Warnings(secondLogs)));

        await redis.StartAgainAsync();
        await RateLimitsAsync(a, "healthy");
        await RateLimitsAsync(b, "healthy");
        Assert.Contains(firstLogs.Entries, e => e.Category == RedisWindowsCategory && e.Level == LogLevel.Information);

        // Shared again: two permits for both instances together.
        client = NewAddress();
        Assert.Equal(HttpStatusCode.Unauthorized, (await TestAccounts.LoginFromAsync(a, client)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await TestAccounts.LoginFromAsync(b, client)).StatusCode);
        await (await TestAccounts.LoginFromAsync(a, client)).ShouldBeProblemAsync(HttpStatusCode.TooManyRequests);
    }

    /// <summary>Two instances on one Redis and a client of each, once both report the shared rate limits healthy.</summary>
    private sealed class TwoInstances : IAsyncDisposable
    {
        private readonly SqliteStorefrontFactory _first;
        private readonly SqliteStorefrontFactory _second;

        private TwoInstances(SqliteStorefrontFactory first, SqliteStorefrontFactory second) => (_first, _second) = (first, second);

        public HttpClient A { get; private set; } = null!;
        public HttpClient B { get; private set; } = null!;

        public static async Task<TwoInstances> StartAsync(string redis, int permits, int windowSeconds,
            LogCapture? firstLogs = null, LogCapture? secondLogs = null)
        {
            var instances = new TwoInstances(Instance(redis, permits, windowSeconds, firstLogs), Instance(redis, permits, windowSeconds, secondLogs));
            try
            {
                instances.A = instances._first.CreateClient();
                instances.B = instances._second.CreateClient();
                await RateLimitsAsync(instances.A, "healthy");
                await RateLimitsAsync(instances.B, "healthy");
                return instances;
            }
            catch
            {
                await instances.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            B?.Dispose();
            A?.Dispose();
            await _second.DisposeAsync();
            await _first.DisposeAsync();
        }
    }

    private static SqliteStorefrontFactory Instance(string redis, int permits, int windowSeconds, LogCapture? logs = null)
    {
        var factory = new SqliteStorefrontFactory();
        factory.With("ConnectionStrings:Redis", redis)
            .With("RateLimits:LoginPermits", permits.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .With("RateLimits:WindowSeconds", windowSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .With("Proxy:TrustedProxies:0", "127.0.0.0/8");
        if (logs is not null)
        {
            // Outage tests want a short deadline, like production's, and to see the log lines.
            factory.With("RateLimits:RedisTimeoutMs", "250").With($"Logging:LogLevel:{RedisWindowsCategory}", "Information")
                .WithServices(services => services.AddSingleton<ILoggerProvider>(logs));
        }
        return (SqliteStorefrontFactory)factory;
    }

    /// <summary>Waits until readiness (200 either way) reports the rate limits in <paramref name="status"/>.</summary>
    private static async Task RateLimitsAsync(HttpClient client, string status) =>
        await Eventually.ValueAsync(async () => (await (await client.GetAsync("/health/ready")).ShouldBeJsonAsync<HealthAnswer>()).Checks["rate_limits"].Status,
            s => s == status, TimeSpan.FromSeconds(30), $"/health/ready reports rate_limits {status}");

    private static int Warnings(LogCapture logs) =>
        logs.Entries.Count(e => e.Category == RedisWindowsCategory && e.Level == LogLevel.Warning);

    /// <summary>A documentation-range IPv6 address in a /64 no other test uses (limits count an IPv6 client by its /64).</summary>
    private static string NewAddress() => $"2001:db8:{Random.Shared.Next(1, 0xffff):x}:{Random.Shared.Next(1, 0xffff):x}::1";
}
