using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Storefront.Tests.Products;

/// <summary>
/// Upstreams that answer with something unusable: a body that is not JSON, one over Upstreams__MaxResponseBytes, and a
/// redirect. The bundled simulator never does this, so a small server of the test's own does.
/// </summary>
[ServerFree]
public sealed class MisbehavingUpstreamTests : IAsyncLifetime
{
    private const int MaxResponseBytes = 4096;
    private readonly List<SqliteStorefrontFactory> _factories = [];
    private WebApplication? _upstream;
    private string _root = "";

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _upstream = builder.Build();
        _upstream.MapGet("/ok/{id}", (string id) => Results.Text($$"""{"id": {{id}}, "ok": true}""", "application/json"));
        _upstream.MapGet("/html/{id}", () => Results.Text("<html><body>Service temporarily unavailable</body></html>", "text/html"));
        _upstream.MapGet("/truncated/{id}", () => Results.Text("""{"id": 1, "price": """, "application/json"));
        _upstream.MapGet("/redirect/{id}", (string id) => Results.Redirect($"{_root}/ok/{id}"));
        _upstream.MapGet("/huge/{id}", () => Results.Text($$"""{"padding": "{{new string('x', MaxResponseBytes * 4)}}"}""", "application/json"));
        await _upstream.StartAsync();
        _root = _upstream.Urls.Single().TrimEnd('/');
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var factory in _factories) await factory.DisposeAsync();
        if (_upstream is not null) await _upstream.DisposeAsync();
    }

    [Theory]
    [InlineData("html", "response is not JSON")]
    [InlineData("truncated", "response is not JSON")]
    [InlineData("huge", "response too large")]
    [InlineData("redirect", "HTTP 302")] // Not followed: a source answers at its own address.
    public async Task An_unusable_optional_answer_is_an_error_in_a_partial_result(string route, string detail)
    {
        using var client = CreateClient(pricing: "ok", inventory: "ok", reco: route);
        // The misbehaving server's good answer is {"id", "ok"}, not a price: passed through as it is.
        var body = await (await client.GetAsync("/product/7")).ShouldBeJsonAsync<OkProduct>();
        Assert.False(body.Complete);
        Assert.Null(body.Reco);
        Assert.True(body.Price?.Ok);
        Assert.Equal(("error", detail), (body.Sources.Reco.Status, body.Sources.Reco.Detail));
    }

    [Theory]
    [InlineData("html", "response is not JSON")]
    [InlineData("huge", "response too large")]
    public async Task An_unusable_required_answer_is_a_502_naming_the_source(string route, string detail)
    {
        using var client = CreateClient(pricing: route, inventory: "ok", reco: "ok");
        var problem = await (await client.GetAsync("/product/7")).ShouldBeProblemAsync(HttpStatusCode.BadGateway);
        Assert.Equal("pricing", problem.Member<string>("source"));
        Assert.Contains(detail, problem.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("<html>", problem.Json.GetRawText(), StringComparison.Ordinal);
    }

    private HttpClient CreateClient(string pricing, string inventory, string reco)
    {
        var factory = new SqliteStorefrontFactory();
        factory.With("Upstreams:Pricing", $"{_root}/{pricing}")
            .With("Upstreams:Inventory", $"{_root}/{inventory}")
            .With("Upstreams:Reco", $"{_root}/{reco}")
            .With("Upstreams:Weather:0", $"{_root}/ok/weather")
            .With("Upstreams:MultiFetch:A", $"{_root}/ok/a")
            .With("Upstreams:MultiFetch:B", $"{_root}/ok/b")
            .With("Upstreams:MaxResponseBytes", MaxResponseBytes.ToString(System.Globalization.CultureInfo.InvariantCulture))
            // Every answer here is immediate; a fresh host's first fan-out on a loaded machine may still take over the
            // default deadlines (1 s, reco 250 ms), which would turn the answer under test into a timeout.
            .With("Products:Pricing:TimeoutMs", "10000")
            .With("Products:Inventory:TimeoutMs", "10000")
            .With("Products:Reco:TimeoutMs", "10000");
        _factories.Add(factory);
        return factory.CreateClient();
    }

    private sealed record OkBody(int Id, bool Ok);

    private sealed record OkProduct(int Id, OkBody? Price, OkBody? Stock, OkBody? Reco, bool Complete, ProductSourcesAnswer Sources);
}
