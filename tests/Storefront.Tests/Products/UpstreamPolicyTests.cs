using Storefront.Api.Upstreams;
using Storefront.Upstreams;

namespace Storefront.Tests.Products;

/// <summary>The retry (GETs only, at most one, only when the deadline can hold it) and the concurrency limit of a source.</summary>
[ServerFree]
public sealed class UpstreamPolicyTests(ConfiguredFactory<UpstreamPolicyTests> factory) : SimulatorTests(factory), IClassFixture<ConfiguredFactory<UpstreamPolicyTests>>, IHostSettings
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


    [Fact]
    public async Task A_GET_that_fails_transiently_is_retried_once_and_no_more()
    {
        Simulator.Set("reco", new RouteBehavior(0, 0, FailureRate: 1));
        var reco = (await Client.GetProductAsync(3)).Sources.Reco;
        Assert.Equal("error", reco.Status);
        Assert.Equal("HTTP 500", reco.Detail);
        Assert.Equal(2, Simulator.Stats("reco").Started);
    }

    [Fact]
    public async Task No_retry_is_made_when_what_is_left_of_the_deadline_could_not_hold_it()
    {
        // The first attempt fails after 1.6 s; another as long would end past the 3 s deadline.
        Simulator.Set("reco", new RouteBehavior(1600, 0, FailureRate: 1));
        var reco = (await Client.GetProductAsync(3)).Sources.Reco;
        Assert.Equal("error", reco.Status);
        Assert.True(reco.Ms < RecoDeadlineMs, $"reco took {reco.Ms} ms");
        Assert.Equal(1, Simulator.Stats("reco").Started);
    }

    [Fact]
    public async Task A_source_slower_than_its_deadline_times_out_once_with_no_retry_past_it()
    {
        Simulator.Set("reco", new RouteBehavior(10_000));
        var reco = (await Client.GetProductAsync(3)).Sources.Reco;
        Assert.Equal("timeout", reco.Status);
        Assert.Equal("no answer within its 3000 ms deadline", reco.Detail);
        Assert.InRange(reco.Ms, RecoDeadlineMs - 100, RecoDeadlineMs * 2);
        await Eventually.TrueAsync(() => Simulator.Stats("reco").Cancelled == 1, TimeSpan.FromSeconds(20),
            "the call is cancelled at the deadline");
        Assert.Equal(1, Simulator.Stats("reco").Started);
    }

    [Fact]
    public async Task A_source_over_its_concurrency_limit_is_rejected_not_queued_forever()
    {
        Simulator.Set("reco", new RouteBehavior(800));
        var first = Client.GetAsync("/product/1");
        await Eventually.TrueAsync(() => Simulator.Stats("reco").Started == 1, TimeSpan.FromSeconds(20), "the first reco call is in flight");

        var reco = (await Client.GetProductAsync(2)).Sources.Reco;
        Assert.Equal("rejected", reco.Status);
        Assert.Equal("too many calls in flight and queued", reco.Detail);

        var firstBody = await (await first).ShouldBeJsonAsync<ProductAnswer>();
        Assert.Equal("ok", firstBody.Sources.Reco.Status);
    }
}
