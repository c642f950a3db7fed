using Storefront.Api.Lessons;
using Storefront.Upstreams;

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
public sealed class LessonGatherTests(LessonGatherFactory factory) : ClientTests<LessonGatherFactory>(factory), IClassFixture<LessonGatherFactory>
{
    [Fact]
    public async Task Weather_marks_a_failed_source_in_its_place_and_still_answers_200()
    {
        var body = await (await Client.GetAsync("/weather")).ShouldBeJsonAsync();

        // One entry per source in order, as the original API's array; the failed one is marked in its place.
        Assert.Equal(3, body.GetArrayLength());
        Assert.Equal("oslo", body[0].Deserialize<WeatherBody>(HttpAssertions.Answers)!.City);
        Assert.Equal("lima", body[2].Deserialize<WeatherBody>(HttpAssertions.Answers)!.City);
        var failed = body[1];
        Assert.Equal(new FailedSource("weather[1]", "error", failed.Deserialize<FailedSource>(HttpAssertions.Answers)!.Ms, "ConnectionError"),
            failed.Deserialize<FailedSource>(HttpAssertions.Answers));
        Assert.False(failed.TryGetProperty("city", out _));
    }

    [Fact]
    public async Task Multi_fetch_marks_a_failed_source_and_still_answers_200()
    {
        var body = await (await Client.GetAsync("/multi-fetch")).ShouldBeJsonAsync<MultiFetchAnswer>();

        Assert.Equal("x", body.DataA?.Source);
        Assert.Null(body.DataB);
        Assert.False(body.Complete);
        Assert.Equal(("ok", "error"), (body.Sources.DataA.Status, body.Sources.DataB.Status));
    }
}
