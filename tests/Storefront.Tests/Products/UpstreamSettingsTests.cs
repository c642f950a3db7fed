using System.Text.RegularExpressions;
using Storefront.Api.Upstreams;

namespace Storefront.Tests.Products;

/// <summary>
/// Outside Development every Upstreams__* address must be set, or the bundled simulator asked for with
/// Upstreams__UseSimulator=true; in Production the simulator never has its /_sim control routes.
/// </summary>
public sealed partial class UpstreamSettingsTests
{
    // Reco's 250 ms would make the first call of a cold process on a loaded machine read as a timeout.
    private const string ColdStartRecoTimeoutMs = "10000";

    private static readonly string[] AddressSettings =
    [
        "Upstreams__Pricing", "Upstreams__Inventory", "Upstreams__Reco",
        "Upstreams__Weather__0", "Upstreams__MultiFetch__A", "Upstreams__MultiFetch__B",
    ];

    [Fact]
    public async Task Production_without_upstream_addresses_refuses_to_start_and_names_every_missing_setting()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ServiceProcess.StartAsync(new Dictionary<string, string>
        {
            ["Storage__Path"] = NewStoragePath(),
            ["Upstreams__UseSimulator"] = "false", // The default, stated: ServiceProcess asks for the simulator otherwise.
        }));

        Assert.Contains("exited at startup", error.Message, StringComparison.Ordinal);
        Assert.Contains($"{string.Join(", ", AddressSettings)} are not set; set them, or Upstreams__UseSimulator=true", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Production_with_UseSimulator_serves_products_from_the_simulator_without_its_control_routes()
    {
        await using var service = await ServiceProcess.StartAsync(new Dictionary<string, string>
        {
            ["Storage__Path"] = NewStoragePath(),
            ["Upstreams__UseSimulator"] = "true",
            ["Products__Reco__TimeoutMs"] = ColdStartRecoTimeoutMs,
        });
        using var client = service.CreateClient();

        Assert.True((await client.GetProductAsync(7)).Complete);

        // The service warns that a simulator stands in for real upstreams, and says where it listens.
        Match? logged = null;
        await Eventually.TrueAsync(() => (logged = SimulatorInUse().Match(service.Output)).Success, TimeSpan.FromSeconds(10),
            "the service should log that the bundled simulator is in use");
        var simulator = new Uri(logged!.Groups["address"].Value);
        Assert.True(IPAddress.IsLoopback(IPAddress.Parse(simulator.Host)), $"the simulator listens on {simulator}");
        foreach (var setting in AddressSettings) Assert.Contains(setting, logged.Value, StringComparison.Ordinal);

        using var direct = new HttpClient { BaseAddress = simulator };
        Assert.Equal(HttpStatusCode.OK, (await direct.GetAsync("pricing/7")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await direct.GetAsync("_sim/routes")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await direct.PutJsonTextAsync("_sim/routes/pricing", """{"latency_ms": 5000}""")).StatusCode);
    }

    [Fact]
    public void Outside_development_the_error_names_only_the_addresses_that_are_missing()
    {
        using var factory = new SqliteStorefrontFactory();
        factory.With("Upstreams:UseSimulator", "false")
            .With("Upstreams:Pricing", "http://127.0.0.1:9/pricing")
            .With("Upstreams:Inventory", "http://127.0.0.1:9/inventory")
            .With("Upstreams:Reco", "http://127.0.0.1:9/reco")
            .With("Upstreams:Weather:0", "http://127.0.0.1:9/weather/oslo")
            .With("Upstreams:MultiFetch:A", "http://127.0.0.1:9/data/a");

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient()).ToString();

        Assert.Contains("Upstreams__MultiFetch__B is not set; set it, or Upstreams__UseSimulator=true", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Upstreams__Pricing", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Upstreams__Weather", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Upstreams__MultiFetch__A", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Development_falls_back_to_the_simulator_even_with_UseSimulator_false()
    {
        await using var factory = new SqliteStorefrontFactory();
        factory.WithEnvironment("Development").With("Upstreams:UseSimulator", "false")
            .With("Products:Reco:TimeoutMs", ColdStartRecoTimeoutMs);
        using var client = factory.CreateClient();

        Assert.True((await client.GetProductAsync(7)).Complete);
        using var direct = new HttpClient { BaseAddress = await factory.Services.GetRequiredService<EmbeddedSimulator>().BaseAddress };
        Assert.Equal(HttpStatusCode.OK, (await direct.GetAsync("_sim/routes")).StatusCode);
    }

    [Fact]
    public async Task Outside_production_the_embedded_simulator_keeps_its_control_routes_on_loopback()
    {
        await using var factory = new SqliteStorefrontFactory();
        factory.StartServer();
        var simulator = await factory.Services.GetRequiredService<EmbeddedSimulator>().BaseAddress;
        using var direct = new HttpClient { BaseAddress = simulator };

        Assert.True(IPAddress.IsLoopback(IPAddress.Parse(simulator.Host)), $"the simulator listens on {simulator}");
        var routes = await (await direct.GetAsync("_sim/routes")).Content.ReadAsStringAsync();
        Assert.Contains("\"pricing\"", routes, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, (await direct.PostAsync("_sim/reset", null)).StatusCode);
    }

    private static string NewStoragePath() => Path.Combine(Path.GetTempPath(), "storefront-tests", Guid.NewGuid().ToString("N"));

    [GeneratedRegex(@"Upstreams__UseSimulator=true: the bundled simulator \((?<address>http://[^)]+)\) answers for [^\n]*")]
    private static partial Regex SimulatorInUse();
}
