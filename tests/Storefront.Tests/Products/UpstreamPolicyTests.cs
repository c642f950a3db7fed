using Storefront.Api.Upstreams;
using Storefront.Tests.Infrastructure;
using Storefront.Upstreams;
using Storefront.Tests.Infrastructure.Servers;

namespace Storefront.Tests.Products;

/// <summary>The retry (GETs only, at most one, only when the deadline can hold it) and the concurrency limit of a source.</summary>
[ServerFree]
public sealed class UpstreamPolicyTests(ConfiguredFactory<UpstreamPolicyTests> factory) : IClassFixture<ConfiguredFactory<UpstreamPolicyTests>>, IDisposable, IHostSettings
{
    public const int RecoDeadlineMs = 3000;

    /// <summary>Reco with a 3 s deadline and room for one call at a time, no queue; the required sources roomy.</summary>
    public static IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Products:Pricing:TimeoutMs"] = "4000",
        ["Products:Inventory:TimeoutMs"] = "4000",
        ["Products:Reco:TimeoutMs"] = RecoDeadlineMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Products:Reco:MaxConcurrency"] = "1",
        ["Products:Reco:QueueLimit"] = "0",
    };

    private readonly HttpClient _client = factory.CreateClient();

    public void Dispose()
    {
        factory.Simulator.Reset();
        _client.Dispose();
    }

    [Fact]
    public async Task A_GET_that_fails_transiently_is_retried_once_and_no_more()
    {
        factory.Simulator.Set("reco", new RouteBehavior(0, 0, FailureRate: 1));
        var body = await (await _client.GetAsync("/product/3")).ShouldBeJsonAsync();
        var reco = body.GetProperty("sources").GetProperty("reco");
        Assert.Equal("error", reco.GetProperty("status").GetString());
        Assert.Equal("HTTP 500", reco.GetProperty("detail").GetString());
        Assert.Equal(2, factory.Simulator.Stats("reco").Started);
    }

    [Fact]
    public async Task No_retry_is_made_when_what_is_left_of_the_deadline_could_not_hold_it()
    {
        // The first attempt fails after 1.6 s; another as long would end past the 3 s deadline.
        factory.Simulator.Set("reco", new RouteBehavior(1600, 0, FailureRate: 1));
        var body = await (await _client.GetAsync("/product/3")).ShouldBeJsonAsync();
        var reco = body.GetProperty("sources").GetProperty("reco");
        Assert.Equal("error", reco.GetProperty("status").GetString());
        Assert.True(reco.GetProperty("ms").GetDouble() < RecoDeadlineMs, $"reco took {reco.GetProperty("ms")} ms");
        Assert.Equal(1, factory.Simulator.Stats("reco").Started);
    }

    [Fact]
    public async Task A_source_slower_than_its_deadline_times_out_once_with_no_retry_past_it()
    {
        factory.Simulator.Set("reco", new RouteBehavior(10_000));
        var body = await (await _client.GetAsync("/product/3")).ShouldBeJsonAsync();
        var reco = body.GetProperty("sources").GetProperty("reco");
        Assert.Equal("timeout", reco.GetProperty("status").GetString());
        Assert.Equal("no answer within its 3000 ms deadline", reco.GetProperty("detail").GetString());
        Assert.InRange(reco.GetProperty("ms").GetDouble(), RecoDeadlineMs - 100, RecoDeadlineMs * 2);
        await Eventually.TrueAsync(() => factory.Simulator.Stats("reco").Cancelled == 1, TimeSpan.FromSeconds(20),
            "the call is cancelled at the deadline");
        Assert.Equal(1, factory.Simulator.Stats("reco").Started);
    }

    [Fact]
    public async Task A_source_over_its_concurrency_limit_is_rejected_not_queued_forever()
    {
        factory.Simulator.Set("reco", new RouteBehavior(800));
        var first = _client.GetAsync("/product/1");
        await Eventually.TrueAsync(() => factory.Simulator.Stats("reco").Started == 1, TimeSpan.FromSeconds(20), "the first reco call is in flight");

        var second = await (await _client.GetAsync("/product/2")).ShouldBeJsonAsync();
        var reco = second.GetProperty("sources").GetProperty("reco");
        Assert.Equal("rejected", reco.GetProperty("status").GetString());
        Assert.Equal("too many calls in flight and queued", reco.GetProperty("detail").GetString());

        var firstBody = await (await first).ShouldBeJsonAsync();
        Assert.Equal("ok", firstBody.GetProperty("sources").GetProperty("reco").GetProperty("status").GetString());
    }
}
