using System.Diagnostics;
using Storefront.Api.Lessons;
using Storefront.Upstreams;

namespace Storefront.Tests.Lessons;

[ServerFree]
public sealed class LessonTests(SqliteStorefrontFactory factory) : SimulatorTests(factory), IClassFixture<SqliteStorefrontFactory>
{
    [Fact]
    public async Task Root_says_hello_world_with_process_time()
    {
        Assert.Equal("Hello World", (await (await Client.GetAsync("/")).ShouldBeJsonAsync<MessageResponse>()).Message);
    }

    [Fact]
    public async Task Slow_waits_the_requested_time()
    {
        var response = await Client.GetAsync("/slow?seconds=0.5");
        Assert.Equal("Completed after 0.5 seconds", (await response.ShouldBeJsonAsync<SlowResponse>()).Msg);
        Assert.True(response.ShouldHaveProcessTime() >= 0.45, "it returned before waiting");
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("31")]
    [InlineData("abc")]
    [InlineData("NaN")]
    public async Task Slow_rejects_seconds_outside_0_to_30(string seconds)
    {
        await (await Client.GetAsync($"/slow?seconds={seconds}")).ShouldBeValidationProblemAsync("seconds");
    }

    [Fact]
    public async Task Multi_takes_the_longest_wait_not_the_sum()
    {
        var started = Stopwatch.GetTimestamp();
        var body = await (await Client.GetAsync("/multi")).ShouldBeJsonAsync<MultiResponse>();
        var wall = Stopwatch.GetElapsedTime(started);
        Assert.Equal("Both tasks done!", body.Msg);
        Assert.InRange(body.ElapsedMs, 2900, 4500);
        Assert.True(wall < TimeSpan.FromSeconds(4.5), $"took {wall}: the waits ran one after the other");
    }

    [Fact]
    public async Task Two_hundred_concurrent_slow_calls_finish_together_not_one_after_another()
    {
        // 200 one-second waits: sequential would be 200 s; holding a thread each would crawl on 2 cores.
        var started = Stopwatch.GetTimestamp();
        var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Client.GetAsync("/slow?seconds=1")));
        var wall = Stopwatch.GetElapsedTime(started);
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.True(wall < TimeSpan.FromSeconds(10), $"200 concurrent 1 s waits took {wall}");
    }

    [Fact]
    public async Task Weather_answers_every_configured_source_in_order()
    {
        var body = await (await Client.GetAsync("/weather")).ShouldBeJsonAsync<WeatherBody[]>();
        // The original API's answer (docs/seeds.md): a bare array, one body per source, in configured order.
        Assert.Equal(["london", "paris", "tokyo"], body.Select(e => e.City));
    }

    [Fact]
    public async Task Weather_is_a_502_naming_a_source_when_none_answers()
    {
        Simulator.Set("weather", new RouteBehavior(0, 0, FailureRate: 1));
        var problem = await (await Client.GetAsync("/weather")).ShouldBeProblemAsync(HttpStatusCode.BadGateway);
        Assert.StartsWith("weather[", problem.Member<string>("source"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Multi_fetch_calls_both_sources_concurrently()
    {
        // 1.5 s each: concurrent calls take about 1.5 s, sequential ones 3 s; 1.2 s of slack for a loaded CI machine.
        Simulator.Set("data", new RouteBehavior(1500));
        var response = await Client.GetAsync("/multi-fetch");
        var body = await response.ShouldBeJsonAsync<MultiFetchAnswer>();
        Assert.Equal(("a", "b"), (body.DataA?.Source, body.DataB?.Source));
        Assert.True(body.Complete);
        Assert.Equal("ok", body.Sources.DataA.Status);
        Assert.True(response.ShouldHaveProcessTime() < 2.7, "two 1.5 s sources took as long as their sum");
    }

    [Fact]
    public async Task A_request_past_the_request_deadline_is_a_504_problem()
    {
        await using var slow = new SqliteStorefrontFactory();
        slow.With("Limits:RequestTimeoutSeconds", "1").With("Upstreams:LessonTimeoutMs", "20000");
        using var client = slow.CreateClient();
        slow.Simulator.Set("weather", new RouteBehavior(10_000));
        var started = Stopwatch.GetTimestamp();
        await (await client.GetAsync("/weather")).ShouldBeProblemAsync(HttpStatusCode.GatewayTimeout);
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(8), "the deadline did not cut the request short");
    }
}
