using System.Net;
using Storefront.Tests.Infrastructure;
using Storefront.Upstreams;
using Storefront.Tests.Infrastructure.Servers;

namespace Storefront.Tests.Products;

/// <summary>A required source whose concurrency limit is full: the service is saturated, so 503 + Retry-After, not a 502.</summary>
[ServerFree]
public sealed class RequiredSourceSaturationTests(ConfiguredFactory<RequiredSourceSaturationTests> factory) : IClassFixture<ConfiguredFactory<RequiredSourceSaturationTests>>, IDisposable, IHostSettings
{
    /// <summary>Pricing (required) with room for one call at a time and no queue.</summary>
    public static IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Products:Pricing:MaxConcurrency"] = "1",
        ["Products:Pricing:QueueLimit"] = "0",
        ["Products:Pricing:TimeoutMs"] = "5000",
    };

    private readonly HttpClient _client = factory.CreateClient();

    public void Dispose()
    {
        factory.Simulator.Reset();
        _client.Dispose();
    }

    [Fact]
    public async Task A_required_source_over_its_concurrency_limit_gives_503_with_Retry_After_naming_it()
    {
        factory.Simulator.Set("pricing", new RouteBehavior(800));
        var first = _client.GetAsync("/product/1");
        await Eventually.TrueAsync(() => factory.Simulator.Stats("pricing").Started == 1, TimeSpan.FromSeconds(20), "the first pricing call is in flight");

        var response = await _client.GetAsync("/product/2");
        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("pricing", problem.GetProperty("source").GetString());
        Assert.Equal("The pricing service is saturated: too many calls in flight and queued.", problem.GetProperty("detail").GetString());
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        Assert.Equal(1, factory.Simulator.Stats("pricing").Started); // Refused without a call.

        await (await first).ShouldBeJsonAsync();
    }
}
