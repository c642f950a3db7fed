using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Storefront.Api.Caching;
using Storefront.Api.Data;

namespace Storefront.Tests.Caching;

/// <summary>The guard around HybridCache's Redis level, on a real redis-server and a fake clock for the back-off.</summary>
public sealed class RedisLevelTests
{
    [Fact]
    public async Task After_a_failure_redis_is_skipped_for_the_retry_interval_then_tried_again()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var connection = new RedisConnection(redis.ConnectionString);
        await connection.WhenStartedAsync();
        var time = new FakeTimeProvider();
        var options = Options.Create(new CachingOptions { RedisTimeoutMs = 100, RedisRetryAfterMs = 1000 });
        var level = new RedisLevel(connection, options, time, NullLogger<RedisLevel>.Instance);
        await level.SetAsync("k", "v"u8.ToArray(), new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1) });
        Assert.True(level.IsAvailable);

        await redis.PauseAsync(TimeSpan.FromSeconds(3));
        // The deadline passes: a miss, not an exception, and the outage begins.
        Assert.Null(await level.GetAsync("k"));
        Assert.False(level.IsAvailable);
        Assert.False(level.IsUsable);
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(level.IsUsable);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(level.IsUsable);

        // Once the pause is over, a call gets through and ends the outage.
        var value = await Eventually.ValueAsync(async () =>
        {
            time.Advance(TimeSpan.FromSeconds(1));
            return await level.GetAsync("k");
        }, v => v is not null, TimeSpan.FromSeconds(30), "Redis answers again after the pause");
        Assert.Equal("v"u8.ToArray(), value);
        Assert.True(level.IsAvailable);
    }
}
