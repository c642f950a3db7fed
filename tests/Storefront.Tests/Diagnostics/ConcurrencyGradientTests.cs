using Storefront.Api.Diagnostics;

namespace Storefront.Tests.Diagnostics;

public sealed class ConcurrencyGradientTests
{
    private static readonly TimeSpan Target = TimeSpan.FromMilliseconds(25);
    private static readonly TimeSpan Hold = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    [Fact]
    public void A_burst_that_drains_within_the_interval_is_not_limited()
    {
        var gradient = new ConcurrencyGradient(8, Target, Hold, Interval);
        for (var t = 0; t < 450; t += 50) Assert.Equal(ConcurrencyGradient.Unlimited, gradient.Observe(Ms(t), Ms(200), 1000));
        Assert.Equal(ConcurrencyGradient.Unlimited, gradient.Observe(Ms(450), Ms(5), 1000));
        // The clock of "above the target" starts again after a delay under it.
        for (var t = 500; t < 950; t += 50) Assert.Equal(ConcurrencyGradient.Unlimited, gradient.Observe(Ms(t), Ms(200), 1000));
    }

    [Fact]
    public void A_delay_above_the_target_for_the_whole_interval_limits_what_is_in_flight()
    {
        var gradient = new ConcurrencyGradient(8, Target, Hold, Interval);
        for (var t = 0; t < 500; t += 50) gradient.Observe(Ms(t), Ms(50), 400);
        // Twice the target: the in-flight count halved (the largest cut at once).
        Assert.Equal(200, gradient.Observe(Ms(500), Ms(50), 400));
        // Limited now: the next delay over the hold cuts at once, from the limit, by hold / delay (at most 0.9).
        Assert.Equal(180, gradient.Observe(Ms(550), Ms(11), 400));
        Assert.Equal(90, gradient.Observe(Ms(600), Ms(1000), 180));
    }

    [Fact]
    public void The_limit_never_falls_under_its_floor()
    {
        var gradient = new ConcurrencyGradient(8, Target, Hold, TimeSpan.Zero);
        for (var t = 0; t < 2000; t += 50) Assert.True(gradient.Observe(Ms(t), Ms(5000), 3) >= 8);
        Assert.Equal(8, gradient.Limit);
    }

    [Fact]
    public void Under_the_target_the_limit_grows_and_is_lifted_when_far_above_what_is_in_flight()
    {
        var gradient = new ConcurrencyGradient(8, Target, Hold, TimeSpan.Zero);
        gradient.Observe(Ms(0), Ms(50), 100);
        Assert.Equal(50, gradient.Limit);
        var previous = gradient.Limit;
        var t = 50;
        while (gradient.Limit != ConcurrencyGradient.Unlimited)
        {
            var limit = gradient.Observe(Ms(t += 50), Ms(1), 40);
            Assert.True(limit > previous, "each delay under the target grows the limit");
            previous = limit;
            Assert.True(t < 10_000, "the limit is lifted in the end");
        }
        Assert.True(previous > 2 * 40, "lifted only once well above what is in flight");
    }

    [Fact]
    public void The_limit_is_lifted_only_after_a_calm_interval()
    {
        var gradient = new ConcurrencyGradient(8, Target, Hold, Interval);
        for (var t = 0; t <= 500; t += 50) gradient.Observe(Ms(t), Ms(100), 100);
        Assert.NotEqual(ConcurrencyGradient.Unlimited, gradient.Limit);
        // Calm, and little in flight: the limit grows at once, but stays until the delay has been low for an interval.
        for (var t = 550; t < 1050; t += 50) Assert.NotEqual(ConcurrencyGradient.Unlimited, gradient.Observe(Ms(t), Ms(1), 1));
        Assert.Equal(ConcurrencyGradient.Unlimited, gradient.Observe(Ms(1050), Ms(1), 1));
    }

    [Fact]
    public void Once_limiting_it_holds_the_delay_at_the_hold_not_at_the_target()
    {
        var gradient = new ConcurrencyGradient(8, Target, Hold, Interval);
        // Between the hold and the target: never a reason to start limiting.
        for (var t = 0; t <= 1000; t += 50) Assert.Equal(ConcurrencyGradient.Unlimited, gradient.Observe(Ms(t), Ms(20), 400));
        for (var t = 1050; t <= 1550; t += 50) gradient.Observe(Ms(t), Ms(100), 400);
        var limited = gradient.Limit;
        Assert.NotEqual(ConcurrencyGradient.Unlimited, limited);
        // The same delay under the target is now over the hold: the limit is cut, not grown.
        Assert.True(gradient.Observe(Ms(1600), Ms(20), 400) < limited);
        // Under the hold it grows again.
        var cut = gradient.Limit;
        Assert.True(gradient.Observe(Ms(1650), Ms(5), 400) > cut);
    }
}
