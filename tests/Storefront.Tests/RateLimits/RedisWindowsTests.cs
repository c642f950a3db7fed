using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Storefront.Api.Data;
using Storefront.Api.RateLimits;

namespace Storefront.Tests.RateLimits;

/// <summary>The shared window's decisions, its fallback count, and the one Redis script on a real redis-server.</summary>
public sealed class RedisWindowsTests
{
    private static readonly FixedWindowRateLimiterOptions ThreePerMinute = new() { PermitLimit = 3, Window = TimeSpan.FromMinutes(1) };

    [Theory]
    [InlineData(1, 1, true)]
    [InlineData(3, 1, true)]
    [InlineData(4, 1, false)]
    [InlineData(2, 0, true)] // Zero asks whether one is left: 2 of 3 used.
    [InlineData(3, 0, false)]
    public void A_window_count_within_the_limit_is_granted(long count, int permits, bool granted)
    {
        using var lease = SharedFixedWindowLimiter.Decide(new WindowCount(count, TimeSpan.FromSeconds(12)), permits, permitLimit: 3);
        Assert.Equal(granted, lease.IsAcquired);
    }

    [Fact]
    public void A_refusal_says_how_long_the_shared_window_still_runs()
    {
        using var lease = SharedFixedWindowLimiter.Decide(new WindowCount(4, TimeSpan.FromMilliseconds(12_345)), 1, permitLimit: 3);
        Assert.True(lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.Equal(TimeSpan.FromMilliseconds(12_345), retryAfter);
    }

    [Fact]
    public async Task Without_redis_the_limiter_counts_in_this_instance_both_ways_of_acquiring()
    {
        await using var limiter = Windows(new RedisConnection(null), TimeProvider.System).CreateLimiter("login:x", ThreePerMinute, TimeSpan.FromSeconds(1));
        Assert.True(limiter.AttemptAcquire().IsAcquired);
        Assert.True((await limiter.AcquireAsync()).IsAcquired);
        Assert.True(limiter.AttemptAcquire().IsAcquired);

        using var refused = await limiter.AcquireAsync();
        Assert.False(refused.IsAcquired);
        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.InRange(retryAfter, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        Assert.False(limiter.AttemptAcquire().IsAcquired);
    }

    [Fact]
    public void An_unused_limiter_becomes_idle_but_not_while_its_local_window_holds_a_count()
    {
        var time = new FakeTimeProvider();
        using var limiter = Windows(new RedisConnection(null), time).CreateLimiter("login:x", ThreePerMinute, TimeSpan.FromSeconds(1));
        time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(TimeSpan.FromSeconds(20), limiter.IdleDuration);

        Assert.True(limiter.AttemptAcquire().IsAcquired);
        // Dropping it now would forget this instance's count for the rest of the window.
        Assert.Null(limiter.IdleDuration);
    }

    [Fact]
    public async Task The_script_counts_one_window_per_key_and_starts_a_new_one_when_it_expires()
    {
        await using var connection = new RedisConnection(SharedRedis.NextDatabase());
        await connection.WhenStartedAsync();
        var windows = Windows(connection, TimeProvider.System);
        await Eventually.TrueAsync(windows.CheckUsable, TimeSpan.FromSeconds(30), "connected to the test Redis");
        var key = $"{RedisWindows.KeyPrefix}test:{Guid.NewGuid():N}";
        var window = TimeSpan.FromMilliseconds(500);
        var timeout = TimeSpan.FromSeconds(5);

        var first = await windows.IncrementAsync(key, 1, window, timeout, CancellationToken.None);
        var second = await windows.IncrementAsync(key, 2, window, timeout, CancellationToken.None);
        Assert.Equal(1, first!.Value.Count);
        Assert.Equal(3, second!.Value.Count);
        Assert.InRange(second.Value.Remaining, TimeSpan.Zero, window);
        Assert.Equal(1, (await windows.IncrementAsync($"{key}:other", 1, window, timeout, CancellationToken.None))!.Value.Count);

        // Redis expires the key at the window's end: the next increment is the first of a new window.
        var fresh = await Eventually.ValueAsync(() => windows.IncrementAsync(key, 1, window, timeout, CancellationToken.None),
            count => count?.Count == 1, TimeSpan.FromSeconds(30), "a new window after the old one expired");
        Assert.InRange(fresh!.Value.Remaining, TimeSpan.Zero, window);
        Assert.True(windows.IsAvailable);
    }

    private static RedisWindows Windows(RedisConnection connection, TimeProvider time) =>
        new(connection, time, NullLogger<RedisWindows>.Instance);
}
