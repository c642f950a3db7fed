using System.Diagnostics;
using Storefront.Upstreams;

namespace Storefront.Tests.Products;

[ServerFree]
public sealed class ProductTests(ConfiguredFactory<ProductTests> factory) : SimulatorTests(factory), IClassFixture<ConfiguredFactory<ProductTests>>, IHostSettings
{
    /// <summary>Deadlines roomy enough for a loaded CI machine, so only the latencies a test sets decide the outcome.</summary>
    public static IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Products:Pricing:TimeoutMs"] = "4000",
        ["Products:Inventory:TimeoutMs"] = "4000",
        ["Products:Reco:TimeoutMs"] = "2000",
    };


    [Fact]
    public async Task Product_combines_all_three_sources()
    {
        var body = await Client.GetProductAsync(7);
        Assert.Equal(7, body.Id);
        Assert.Equal(7, body.Price?.Id);
        Assert.Equal("USD", body.Price?.Currency);
        Assert.True(body.Stock?.InStock >= 0);
        Assert.Equal(3, body.Reco?.Items.Length);
        Assert.True(body.Complete);
        foreach (var report in new[] { body.Sources.Pricing, body.Sources.Inventory, body.Sources.Reco })
        {
            Assert.Equal("ok", report.Status);
            Assert.True(report.Ms > 0);
        }
    }

    [Fact]
    public async Task Product_takes_about_the_slowest_source_not_the_sum()
    {
        foreach (var route in new[] { "pricing", "inventory", "reco" })
            Simulator.Set(route, new RouteBehavior(1000));
        var response = await Client.GetAsync("/product/3");
        await response.ShouldBeJsonAsync();
        var seconds = response.ShouldHaveProcessTime();
        // Sequential calls would take 3 s; concurrent ones about 1 s (1.5 s of slack for a busy CI machine).
        Assert.InRange(seconds, 0.99, 2.5);
    }

    [Fact]
    public async Task Product_returns_partial_result_when_optional_reco_times_out()
    {
        Simulator.Set("reco", new RouteBehavior(10_000));
        var reco = (await Client.GetProductAsync(5)).ShouldLackReco("timeout");
        Assert.Equal("no answer within its 2000 ms deadline", reco.Detail);
        Assert.InRange(reco.Ms, 1900, 4000);
    }

    [Fact]
    public async Task Product_returns_partial_result_when_optional_reco_fails()
    {
        Simulator.Set("reco", new RouteBehavior(0, 0, FailureRate: 1));
        var body = await Client.GetProductAsync(5);
        Assert.False(body.Complete);
        Assert.Equal("error", body.Sources.Reco.Status);
    }

    [Fact]
    public async Task Product_is_502_naming_a_required_source_that_fails()
    {
        Simulator.Set("pricing", new RouteBehavior(0, 0, FailureRate: 1));
        var problem = await (await Client.GetAsync("/product/5")).ShouldBeProblemAsync(HttpStatusCode.BadGateway);
        Assert.Equal("pricing", problem.Member<string>("source"));
        Assert.Contains("pricing", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Product_is_504_naming_a_required_source_that_times_out()
    {
        Simulator.Set("inventory", new RouteBehavior(30_000));
        var problem = await (await Client.GetAsync("/product/5")).ShouldBeProblemAsync(HttpStatusCode.GatewayTimeout);
        Assert.Equal("inventory", problem.Member<string>("source"));
        Assert.Equal("The inventory service timed out: no answer within its 4000 ms deadline.", problem.Detail);
    }

    [Fact]
    public async Task A_failing_required_source_cancels_the_others_at_once()
    {
        // Pricing fails after 300 ms, by when the inventory call has surely reached the simulator. Inventory would answer
        // only after its 4 s deadline: an answer well before that (3 s of slack for a loaded CI machine) did not wait.
        Simulator.Set("pricing", new RouteBehavior(300, 0, FailureRate: 1));
        Simulator.Set("inventory", new RouteBehavior(30_000));
        var started = Stopwatch.GetTimestamp();
        await (await Client.GetAsync("/product/9")).ShouldBeProblemAsync(HttpStatusCode.BadGateway);
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(3.3), "it waited for the slow inventory call");
        await Eventually.TrueAsync(() => Simulator.Stats("inventory").Cancelled >= 1, TimeSpan.FromSeconds(20), "the inventory call is cancelled");
    }

    [Fact]
    public async Task Client_disconnect_cancels_the_upstream_calls()
    {
        // Deadlines and answers far away, so only the client leaving can end the calls; it leaves once all three are
        // in flight (a fixed delay could leave before a loaded machine had even started them).
        await using var patient = new ConfiguredFactory<ProductTests>();
        foreach (var source in new[] { "Pricing", "Inventory", "Reco" }) patient.With($"Products:{source}:TimeoutMs", "60000");
        using var client = patient.CreateClient();
        string[] routes = ["pricing", "inventory", "reco"];
        foreach (var route in routes) patient.Simulator.Set(route, new RouteBehavior(30_000));
        using var leaving = new CancellationTokenSource();
        var request = client.GetAsync("/product/11", leaving.Token);
        await Eventually.TrueAsync(() => routes.All(r => patient.Simulator.Stats(r).Started >= 1), TimeSpan.FromSeconds(20), "all three calls are in flight");

        await leaving.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);
        foreach (var route in routes)
            await Eventually.TrueAsync(() => patient.Simulator.Stats(route).Cancelled >= 1, TimeSpan.FromSeconds(20), $"the {route} call is cancelled");
        Assert.Equal(0, patient.Simulator.Stats("pricing").Succeeded);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-4")]
    [InlineData("abc")]
    [InlineData("99999999999")]
    public async Task Product_rejects_ids_that_are_not_positive_whole_numbers(string id)
    {
        await (await Client.GetAsync($"/product/{id}")).ShouldBeValidationProblemAsync("id");
    }

    [Fact]
    public async Task An_unreachable_required_source_is_a_502_not_an_exception()
    {
        await using var unreachable = new ConfiguredFactory<ProductTests>();
        unreachable.With("Upstreams:Pricing", "http://127.0.0.1:9/pricing");
        using var client = unreachable.CreateClient();
        var problem = await (await client.GetAsync("/product/1")).ShouldBeProblemAsync(HttpStatusCode.BadGateway);
        Assert.Equal("pricing", problem.Member<string>("source"));
        Assert.Equal("The pricing service failed: ConnectionError.", problem.Detail);
    }
}
