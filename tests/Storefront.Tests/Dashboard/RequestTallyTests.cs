using Storefront.Api.Dashboard;

namespace Storefront.Tests.Dashboard;

/// <summary>The dashboard's per-thread request counts: exact under concurrency, per second, by route group.</summary>
[ServerFree]
public sealed class RequestTallyTests
{
    [Fact]
    public void Counts_from_many_threads_add_up_exactly_by_route_group()
    {
        var tally = new RequestTally();
        const int PerThread = 20_000;
        var threads = Enumerable.Range(0, 4).Select(i => new Thread(() =>
        {
            for (var n = 0; n < PerThread; n++)
                tally.Record(n % 2 == 0 ? "/product/{id}" : "/product/{id}/reviews", 0.002, serverError: n % 100 == 0);
        })).ToList();
        threads.ForEach(thread => thread.Start());
        threads.ForEach(thread => thread.Join());

        var second = tally.Collect();

        var product = Assert.Single(second);
        Assert.Equal("/product", product.Key);
        Assert.Equal(4 * PerThread, product.Value.Durations.Count);
        Assert.Equal(4 * PerThread / 100, product.Value.Errors);
    }

    [Fact]
    public void Each_collect_returns_only_what_came_after_the_last_one()
    {
        var tally = new RequestTally();
        for (var n = 0; n < 30; n++) tally.Record("/", 0.001, serverError: false);
        Assert.Equal(30, tally.Collect()["/"].Durations.Count);

        Assert.Equal(0, tally.Collect()["/"].Durations.Count);

        for (var n = 0; n < 7; n++) tally.Record("/", 0.001, serverError: true);
        var third = tally.Collect()["/"];
        Assert.Equal(7, third.Durations.Count);
        Assert.Equal(7, third.Errors);
    }

    [Fact]
    public void A_thread_that_exits_is_counted_once_and_never_subtracted()
    {
        var tally = new RequestTally();
        var worker = new Thread(() =>
        {
            for (var n = 0; n < 500; n++) tally.Record("/items/{id}", 0.001, serverError: false);
        });
        worker.Start();
        worker.Join();
        tally.Record("/items", 0.001, serverError: false);

        Assert.Equal(501, tally.Collect()["/items"].Durations.Count);
        Assert.Equal(0, tally.Collect()["/items"].Durations.Count);
        tally.Record("/items", 0.001, serverError: false);
        Assert.Equal(1, tally.Collect()["/items"].Durations.Count);
    }

    [Fact]
    public void Unmatched_requests_and_routes_without_a_leading_slash_get_a_group()
    {
        var tally = new RequestTally();
        tally.Record("", 0.001, serverError: false);
        tally.Record("health/live", 0.001, serverError: false);
        tally.Record(new string("/health/ready".AsSpan()), 0.001, serverError: false);

        var second = tally.Collect();

        Assert.Equal(["(none)", "/health"], second.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(2, second["/health"].Durations.Count);
    }

    [Fact]
    public void Tallies_of_two_hosts_on_one_thread_stay_apart()
    {
        var first = new RequestTally();
        var second = new RequestTally();
        first.Record("/", 0.001, serverError: false);
        second.Record("/", 0.001, serverError: false);
        first.Record("/", 0.001, serverError: false);

        Assert.Equal(2, first.Collect()["/"].Durations.Count);
        Assert.Equal(1, second.Collect()["/"].Durations.Count);
    }

    [Fact]
    public void Quantiles_come_from_the_second_s_durations()
    {
        var tally = new RequestTally();
        for (var n = 0; n < 98; n++) tally.Record("/", 0.001, serverError: false);
        tally.Record("/", 0.5, serverError: false);
        tally.Record("/", 0.5, serverError: false);

        var durations = tally.Collect()["/"].Durations;

        Assert.InRange(durations.QuantileMs(0.5), 1, 1.125);
        Assert.InRange(durations.QuantileMs(0.98), 1, 1.125);
        Assert.InRange(durations.QuantileMs(0.99), 500, 562.5);
    }
}

[ServerFree]
public sealed class LatencyBucketsTests
{
    [Fact]
    public void A_bucket_s_upper_bound_is_above_its_durations_and_at_most_an_eighth_more()
    {
        for (var seconds = 0.00001; seconds < 120; seconds *= 1.013)
        {
            var bound = LatencyBuckets.UpperBoundMs(LatencyBuckets.Of(seconds));
            Assert.True(bound > seconds * 1000, $"{seconds} s → {bound} ms");
            Assert.True(bound <= seconds * 1000 * 1.125 + 1e-9, $"{seconds} s → {bound} ms");
        }
    }

    [Fact]
    public void Buckets_grow_with_the_duration_and_clamp_at_both_ends()
    {
        var previous = 0;
        for (var seconds = 0.000001; seconds < 1000; seconds *= 1.05)
        {
            var bucket = LatencyBuckets.Of(seconds);
            Assert.InRange(bucket, previous, LatencyBuckets.Count - 1);
            previous = bucket;
        }
        Assert.Equal(0, LatencyBuckets.Of(0));
        Assert.Equal(0, LatencyBuckets.Of(-1));
        Assert.Equal(0, LatencyBuckets.Of(double.NaN));
        Assert.Equal(LatencyBuckets.Count - 1, LatencyBuckets.Of(double.PositiveInfinity));
        Assert.Equal(LatencyBuckets.Count - 1, LatencyBuckets.Of(3600));
    }
}
