using Storefront.Tests.Infrastructure;
using Storefront.Upstreams;
using Storefront.Tests.Infrastructure.Servers;

namespace Storefront.Tests.Lessons;

/// <summary>
/// Weather sources 0 and 2 and multi-fetch source A on a simulator of the test's own, the others on an address nothing
/// listens on: the simulator fails a route for all its callers at once, and these tests need one source failing.
/// </summary>
public sealed class LessonGatherFactory : SqliteStorefrontFactory, IAsyncLifetime
{
    private const string Nowhere = "http://127.0.0.1:9/nothing";
    private RunningSimulator? _remote;

    public async ValueTask InitializeAsync()
    {
        _remote = await SimulatorApp.StartEmbeddedAsync(null, "Testing", CancellationToken.None);
        var root = _remote.BaseAddress.ToString().TrimEnd('/');
        With("Upstreams:Weather:0", $"{root}/weather/oslo")
            .With("Upstreams:Weather:1", Nowhere)
            .With("Upstreams:Weather:2", $"{root}/weather/lima")
            .With("Upstreams:MultiFetch:A", $"{root}/data/x")
            .With("Upstreams:MultiFetch:B", Nowhere)
            // Roomy for a loaded machine: only the dead address may fail.
            .With("Upstreams:LessonTimeoutMs", "10000");
    }

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        await base.DisposeAsync();
        if (_remote is not null) await _remote.DisposeAsync();
    }
}

/// <summary>/weather and /multi-fetch gather their sources: one that fails is marked in its place, and the answer is a 200.</summary>
[ServerFree]
public sealed class LessonGatherTests(LessonGatherFactory factory) : IClassFixture<LessonGatherFactory>, IDisposable
{
    private readonly HttpClient _client = factory.CreateClient();

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task Weather_marks_a_failed_source_in_its_place_and_still_answers_200()
    {
        var body = await (await _client.GetAsync("/weather")).ShouldBeJsonAsync();

        // One entry per source in order, as the original API's array; the failed one is marked in its place.
        Assert.Equal(3, body.GetArrayLength());
        Assert.Equal("oslo", body[0].GetProperty("city").GetString());
        Assert.Equal("lima", body[2].GetProperty("city").GetString());
        var failed = body[1];
        Assert.Equal("weather[1]", failed.GetProperty("source").GetString());
        Assert.Equal("error", failed.GetProperty("status").GetString());
        Assert.Equal("ConnectionError", failed.GetProperty("detail").GetString());
        Assert.False(failed.TryGetProperty("city", out _));
    }

    [Fact]
    public async Task Multi_fetch_marks_a_failed_source_and_still_answers_200()
    {
        var body = await (await _client.GetAsync("/multi-fetch")).ShouldBeJsonAsync();

        Assert.Equal("x", body.GetProperty("data_a").GetProperty("source").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, body.GetProperty("data_b").ValueKind);
        Assert.False(body.GetProperty("complete").GetBoolean());
        Assert.Equal("ok", body.GetProperty("sources").GetProperty("data_a").GetProperty("status").GetString());
        Assert.Equal("error", body.GetProperty("sources").GetProperty("data_b").GetProperty("status").GetString());
    }
}
