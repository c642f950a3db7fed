using Storefront.Api.Upstreams;
using Storefront.Tests.Lessons;
using Storefront.Upstreams;

namespace Storefront.Tests.Products;

/// <summary>With every Upstreams__* set, the service calls those addresses and runs no simulator of its own.</summary>
[ServerFree]
public sealed class ConfiguredUpstreamTests
{
    [Fact]
    public async Task Configured_upstreams_are_called_instead_of_the_bundled_simulator()
    {
        await using var remote = await SimulatorApp.StartEmbeddedAsync(null, "Testing", CancellationToken.None);
        var root = remote.BaseAddress.ToString().TrimEnd('/');
        await using var factory = new SqliteStorefrontFactory();
        factory.With("Upstreams:Pricing", $"{root}/pricing")
            .With("Upstreams:Inventory", $"{root}/inventory")
            .With("Upstreams:Reco", $"{root}/reco/")
            .With("Upstreams:Weather:0", $"{root}/weather/oslo")
            .With("Upstreams:Weather:1", $"{root}/weather/lima")
            .With("Upstreams:MultiFetch:A", $"{root}/data/x")
            .With("Upstreams:MultiFetch:B", $"{root}/data/y")
            // Reco's 250 ms would make a cold first call on a loaded machine read as a timeout.
            .With("Products:Reco:TimeoutMs", "10000");
        using var client = factory.CreateClient();

        Assert.True((await client.GetProductAsync(7)).Complete);
        var weather = await (await client.GetAsync("/weather")).ShouldBeJsonAsync<WeatherBody[]>();
        Assert.Equal(["oslo", "lima"], weather.Select(e => e.City));
        var both = await (await client.GetAsync("/multi-fetch")).ShouldBeJsonAsync<MultiFetchAnswer>();
        Assert.Equal("y", both.DataB?.Source);

        Assert.Equal(1, remote.State.Stats("pricing").Succeeded);
        Assert.Equal(1, remote.State.Stats("reco").Succeeded);
        Assert.Null(factory.Services.GetRequiredService<EmbeddedSimulator>().State);
    }

    [Fact]
    public void A_malformed_upstream_url_stops_startup_with_a_clear_message()
    {
        using var factory = new SqliteStorefrontFactory();
        factory.With("Upstreams:Pricing", "not a url");
        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains("Upstreams__Pricing must be an absolute http or https URL (got 'not a url')", error.ToString(), StringComparison.Ordinal);
    }
}
