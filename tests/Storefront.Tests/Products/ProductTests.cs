using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Storefront.Tests.Infrastructure;
using Storefront.Upstreams;
using Storefront.Tests.Infrastructure.Servers;

namespace Storefront.Tests.Products;

[ServerFree]
public sealed class ProductTests(ConfiguredFactory<ProductTests> factory) : IClassFixture<ConfiguredFactory<ProductTests>>, IDisposable, IHostSettings
{
    /// <summary>Deadlines roomy enough for a loaded CI machine, so only the latencies a test sets decide the outcome.</summary>
    public static IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Products:Pricing:TimeoutMs"] = "4000",
        ["Products:Inventory:TimeoutMs"] = "4000",
        ["Products:Reco:TimeoutMs"] = "2000",
    };

    private readonly HttpClient _client = factory.CreateClient();

    public void Dispose()
    {
        factory.Simulator.Reset();
        _client.Dispose();
    }

    [Fact]
    public async Task Product_combines_all_three_sources()
    {
        var body = await (await _client.GetAsync("/product/7")).ShouldBeJsonAsync();
        Assert.Equal(7, body.GetProperty("id").GetInt32());
        Assert.Equal(7, body.GetProperty("price").GetProperty("id").GetInt32());
        Assert.Equal("USD", body.GetProperty("price").GetProperty("currency").GetString());
        Assert.True(body.GetProperty("stock").GetProperty("in_stock").GetInt32() >= 0);
        Assert.Equal(3, body.GetProperty("reco").GetProperty("items").GetArrayLength());
        Assert.True(body.GetProperty("complete").GetBoolean());
        foreach (var source in new[] { "pricing", "inventory", "reco" })
        {
            var report = body.GetProperty("sources").GetProperty(source);
            Assert.Equal("ok", report.GetProperty("status").GetString());
            Assert.True(report.GetProperty("ms").GetDouble() > 0);
        }
    }

    [Fact]
    public async Task Product_takes_about_the_slowest_source_not_the_sum()
    {
        foreach (var route in new[] { "pricing", "inventory", "reco" })
            factory.Simulator.Set(route, new RouteBehavior(1000));
        var response = await _client.GetAsync("/product/3");
        await response.ShouldBeJsonAsync();
        var seconds = response.ShouldHaveProcessTime();
        // Sequential calls would take 3 s; concurrent ones about 1 s (1.5 s of slack for a busy CI machine).
        Assert.InRange(seconds, 0.99, 2.5);
    }

    [Fact]
    public async Task Product_returns_partial_result_when_optional_reco_times_out()
    {
        factory.Simulator.Set("reco", new RouteBehavior(10_000));
        var body = await (await _client.GetAsync("/product/5")).ShouldBeJsonAsync();
        Assert.False(body.GetProperty("complete").GetBoolean());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("reco").ValueKind);
        Assert.Equal(JsonValueKind.Object, body.GetProperty("price").ValueKind);
        var reco = body.GetProperty("sources").GetProperty("reco");
        Assert.Equal("timeout", reco.GetProperty("status").GetString());
        Assert.Equal("no answer within its 2000 ms deadline", reco.GetProperty("detail").GetString());
        Assert.InRange(reco.GetProperty("ms").GetDouble(), 1900, 4000);
    }

    [Fact]
    public async Task Product_returns_partial_result_when_optional_reco_fails()
    {
        factory.Simulator.Set("reco", new RouteBehavior(0, 0, FailureRate: 1));
        var body = await (await _client.GetAsync("/product/5")).ShouldBeJsonAsync();
        Assert.False(body.GetProperty("complete").GetBoolean());
        Assert.Equal("error", body.GetProperty("sources").GetProperty("reco").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Product_is_502_naming_a_required_source_that_fails()
    {
        factory.Simulator.Set("pricing", new RouteBehavior(0, 0, FailureRate: 1));
        var problem = await (await _client.GetAsync("/product/5")).ShouldBeProblemAsync(HttpStatusCode.BadGateway);
        Assert.Equal("pricing", problem.GetProperty("source").GetString());
        Assert.Contains("pricing", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Product_is_504_naming_a_required_source_that_times_out()
    {
        factory.Simulator.Set("inventory", new RouteBehavior(30_000));
        var problem = await (await _client.GetAsync("/product/5")).ShouldBeProblemAsync(HttpStatusCode.GatewayTimeout);
        Assert.Equal("inventory", problem.GetProperty("source").GetString());
        Assert.Equal("The inventory service timed out: no answer within its 4000 ms deadline.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_failing_required_source_cancels_the_others_at_once()
    {
        // Pricing fails after 300 ms, by when the inventory call has surely reached the simulator. Inventory would answer
        // only after its 4 s deadline: an answer well before that (3 s of slack for a loaded CI machine) did not wait.
        factory.Simulator.Set("pricing", new RouteBehavior(300, 0, FailureRate: 1));
        factory.Simulator.Set("inventory", new RouteBehavior(30_000));
        var started = Stopwatch.GetTimestamp();
        await (await _client.GetAsync("/product/9")).ShouldBeProblemAsync(HttpStatusCode.BadGateway);
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(3.3), "it waited for the slow inventory call");
        await Eventually.TrueAsync(() => factory.Simulator.Stats("inventory").Cancelled >= 1, TimeSpan.FromSeconds(20), "the inventory call is cancelled");
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
        await (await _client.GetAsync($"/product/{id}")).ShouldBeValidationProblemAsync("id");
    }

    [Fact]
    public async Task An_unreachable_required_source_is_a_502_not_an_exception()
    {
        await using var unreachable = new ConfiguredFactory<ProductTests>();
        unreachable.With("Upstreams:Pricing", "http://127.0.0.1:9/pricing");
        using var client = unreachable.CreateClient();
        var problem = await (await client.GetAsync("/product/1")).ShouldBeProblemAsync(HttpStatusCode.BadGateway);
        Assert.Equal("pricing", problem.GetProperty("source").GetString());
        Assert.Equal("The pricing service failed: ConnectionError.", problem.GetProperty("detail").GetString());
    }
}
