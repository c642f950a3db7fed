using Storefront.Upstreams;

namespace Storefront.Tests.Products;

/// <summary>A required source whose concurrency limit is full: the service is saturated, so 503 + Retry-After, not a 502.</summary>
[ServerFree]
public sealed class RequiredSourceSaturationTests(ConfiguredFactory<RequiredSourceSaturationTests> factory) : SimulatorTests(factory), IClassFixture<ConfiguredFactory<RequiredSourceSaturationTests>>, IHostSettings
{
    /// <summary>Pricing (required) with room for one call at a time and no queue.</summary>
    public static IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Products:Pricing:MaxConcurrency"] = "1",
        ["Products:Pricing:QueueLimit"] = "0",
        ["Products:Pricing:TimeoutMs"] = "5000",
    };


    [Fact]
    public async Task A_required_source_over_its_concurrency_limit_gives_503_with_Retry_After_naming_it()
    {
        Simulator.Set("pricing", new RouteBehavior(800));
        var first = Client.GetAsync("/product/1");
        await Eventually.TrueAsync(() => Simulator.Stats("pricing").Started == 1, TimeSpan.FromSeconds(20), "the first pricing call is in flight");

        var response = await Client.GetAsync("/product/2");
        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("pricing", problem.Member<string>("source"));
        Assert.Equal("The pricing service is saturated: too many calls in flight and queued.", problem.Detail);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        Assert.Equal(1, Simulator.Stats("pricing").Started); // Refused without a call.

        await (await first).ShouldBeJsonAsync();
    }
}
