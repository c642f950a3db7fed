using System.Diagnostics;

namespace Storefront.Tests.Caching;

/// <summary>The cache server dies and comes back while the service keeps answering.</summary>
public sealed class RedisOutageTests
{
    [Fact]
    public async Task Service_answers_from_the_source_while_redis_is_down_and_caches_again_when_it_returns()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var factory = CacheOn(redis);
        using var client = factory.CreateClient();

        // Redis is up: the value gets cached (polled, since a stalled machine may time out a call and back off).
        await FirstHitAsync(client);

        await redis.StopAsync();
        for (var i = 0; i < 20; i++)
        {
            // Every request answers, each within a bounded time: no multi-second stalls on a dead cache.
            var started = Stopwatch.GetTimestamp();
            var header = await CacheHeaderAsync(client);
            Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(2), $"request {i} took {Stopwatch.GetElapsedTime(started)}");
            Assert.True(header is "BYPASS" or "MISS", header);
        }
        Assert.Equal("BYPASS", await CacheHeaderAsync(client));
        var degraded = await (await client.GetAsync("/health/ready")).ShouldBeJsonAsync<HealthAnswer>();
        Assert.Equal(("degraded", "degraded"), (degraded.Status, degraded.Checks["cache"].Status));

        await redis.StartAgainAsync();
        await FirstHitAsync(client);
        Assert.Equal("healthy", (await (await client.GetAsync("/health/ready")).ShouldBeJsonAsync<HealthAnswer>()).Status);
    }

    [Fact]
    public async Task Service_starts_and_answers_when_redis_is_down_from_the_beginning()
    {
        await using var redis = await RedisServer.StartAsync();
        await redis.StopAsync();
        await using var factory = new SqliteStorefrontFactory();
        factory.With("ConnectionStrings:Redis", redis.ConnectionString);
        using var client = factory.CreateClient();
        Assert.Equal("BYPASS", await CacheHeaderAsync(client));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task A_redis_that_stops_answering_is_bypassed_within_the_timeout_and_used_again_when_it_answers()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var factory = CacheOn(redis);
        using var client = factory.CreateClient();
        await FirstHitAsync(client);

        // Still connected, answering nothing: unlike a dead server, only the deadline can tell.
        await redis.PauseAsync(TimeSpan.FromSeconds(8));
        var started = Stopwatch.GetTimestamp();
        Assert.Equal("BYPASS", await CacheHeaderAsync(client));
        // Far above the 250 ms deadline, far below the pause: the request did not wait for Redis.
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(4), $"took {Stopwatch.GetElapsedTime(started)}");

        await FirstHitAsync(client);
    }

    /// <summary>Asks until the answer comes from the cache.</summary>
    private static async Task FirstHitAsync(HttpClient client) =>
        await Eventually.ValueAsync(() => CacheHeaderAsync(client), header => header == "HIT", TimeSpan.FromSeconds(30),
            "an answer from the cache (X-Cache: HIT)");

    private static async Task<string> CacheHeaderAsync(HttpClient client)
    {
        var response = await client.GetAsync("/cached-data");
        await response.ShouldBeJsonAsync();
        return response.Headers.GetValues("X-Cache").Single();
    }

    /// <summary>A host whose cache is on <paramref name="redis"/> alone (no local copy), with a short Redis deadline.</summary>
    private static SqliteStorefrontFactory CacheOn(RedisServer redis)
    {
        var factory = new SqliteStorefrontFactory();
        factory.With("ConnectionStrings:Redis", redis.ConnectionString).With("Caching:LocalTtlMs", "0").With("Caching:RedisTimeoutMs", "250");
        return factory;
    }
}
