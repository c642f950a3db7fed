using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;
using Storefront.Upstreams;

namespace Storefront.Tests.Products;

/// <summary>
/// Each source's circuit breaker, on the pipeline's own clock: the host's <see cref="TimeProvider"/> is a fake, so the
/// break runs out when a test says so, not after a sleep. Small numbers make the breaker trip quickly: 4 calls in the
/// window, half of them failing. No retries, so each request is one call the simulator counts.
/// </summary>
[ServerFree]
public sealed class CircuitBreakerTests : IDisposable
{
    private const int BreakMs = 5000;
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly SqliteStorefrontFactory _factory = new();
    private readonly HttpClient _client;

    /// <summary>A host per test: each starts with every circuit closed.</summary>
    public CircuitBreakerTests()
    {
        foreach (var source in new[] { "Pricing", "Inventory", "Reco" })
        {
            // The fake clock never reaches a deadline by itself: these only bound a call if the test moves the clock.
            _factory.With($"Products:{source}:TimeoutMs", "10000")
                .With($"Products:{source}:Retry", "false")
                .With($"Products:{source}:MinimumThroughput", "4")
                .With($"Products:{source}:FailureRatio", "0.5")
                .With($"Products:{source}:SamplingDurationMs", "60000")
                .With($"Products:{source}:BreakDurationMs", BreakMs.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        _factory.WithServices(services => services.AddSingleton<TimeProvider>(_clock));
        _client = _factory.CreateClient();
    }

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
    }

    [Fact]
    public async Task A_failing_required_source_opens_its_circuit_and_the_calls_stop_reaching_it()
    {
        await OpenCircuitAsync("inventory");
        var reached = Stats("inventory").Started;
        await Eventually.TrueAsync(() => Settled("pricing"), TimeSpan.FromSeconds(20), "the pricing calls of the failed pages have ended");
        var pricingReached = Stats("pricing").Started;

        // Slow siblings: a page that waited for them would take seconds.
        _factory.Simulator.Set("pricing", new RouteBehavior(3000));
        for (var i = 0; i < 5; i++)
        {
            var response = await _client.GetAsync("/product/1");
            var problem = await response.ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable);
            Assert.Equal("inventory", problem.Member<string>("source"));
            Assert.Equal("The inventory service is unavailable: its circuit is open after repeated failures.", problem.Detail);
            Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
        }

        Assert.Equal(reached, Stats("inventory").Started);
        // Refused before the fan-out: the only pricing calls are the four failed pages' own, one of which may reach the
        // simulator after the others settled (its page had cancelled it while it was still being sent); five refused
        // pages fanning out would add five more.
        Assert.InRange(Stats("pricing").Started, pricingReached, 4);
        Assert.Equal(2, CircuitLevel("inventory"));
        Assert.Equal(0, CircuitLevel("pricing"));
    }

    [Fact]
    public async Task After_the_break_one_probe_goes_through_and_a_success_closes_the_circuit()
    {
        await OpenCircuitAsync("inventory");
        var reached = Stats("inventory").Started;

        _factory.Simulator.Set("inventory", new RouteBehavior(0));
        _clock.Advance(TimeSpan.FromMilliseconds(BreakMs - 1));
        await (await _client.GetAsync("/product/1")).ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal(reached, Stats("inventory").Started);

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        var probe = await _client.GetProductAsync(1);
        Assert.Equal("ok", probe.Sources.Inventory.Status);
        Assert.Equal(reached + 1, Stats("inventory").Started);
        Assert.Equal(0, CircuitLevel("inventory"));

        for (var i = 0; i < 3; i++) await (await _client.GetAsync("/product/1")).ShouldBeJsonAsync();
        Assert.Equal(reached + 4, Stats("inventory").Started);
        var ready = await (await _client.GetAsync("/health/ready")).ShouldBeJsonAsync<HealthAnswer>();
        Assert.Equal("healthy", ready.Checks["upstreams"].Status);
    }

    [Fact]
    public async Task A_probe_that_fails_opens_the_circuit_for_another_break()
    {
        await OpenCircuitAsync("inventory");
        var reached = Stats("inventory").Started;

        _clock.Advance(TimeSpan.FromMilliseconds(BreakMs));
        await (await _client.GetAsync("/product/1")).ShouldBeProblemAsync(HttpStatusCode.BadGateway); // The probe's own failure.
        Assert.Equal(reached + 1, Stats("inventory").Started);

        var refused = await _client.GetAsync("/product/1");
        await refused.ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal(TimeSpan.FromSeconds(5), refused.Headers.RetryAfter?.Delta);
        Assert.Equal(reached + 1, Stats("inventory").Started);
    }

    [Fact]
    public async Task A_probe_cut_short_by_its_page_keeps_the_circuit_open()
    {
        await OpenCircuitAsync("inventory");
        _factory.Simulator.Set("inventory", new RouteBehavior(3000));
        // 100 ms: long enough for the inventory probe to be under way when pricing fails.
        _factory.Simulator.Set("pricing", new RouteBehavior(100, 0, FailureRate: 1));

        // The probe's page fails on pricing first, which cancels the inventory probe: it proved nothing.
        _clock.Advance(TimeSpan.FromMilliseconds(BreakMs));
        var problem = await (await _client.GetAsync("/product/1")).ShouldBeProblemAsync(HttpStatusCode.BadGateway);
        Assert.Equal("pricing", problem.Member<string>("source"));

        _factory.Simulator.Set("pricing", new RouteBehavior(0));
        var refused = await _client.GetAsync("/product/1");
        Assert.Equal("inventory", (await refused.ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable)).Member<string>("source"));
        Assert.Equal(2, CircuitLevel("inventory"));
    }

    [Fact]
    public async Task An_open_required_circuit_degrades_readiness_without_making_the_service_unready()
    {
        await OpenCircuitAsync("pricing");

        var response = await _client.GetAsync("/health/ready");
        var ready = await response.ShouldBeJsonAsync<HealthAnswer>(HttpStatusCode.OK);
        Assert.Equal("degraded", ready.Status);
        var upstreams = ready.Checks["upstreams"];
        Assert.Equal("degraded", upstreams.Status);
        Assert.Equal("Circuit not closed: pricing (open, required).", upstreams.Description);
    }

    [Fact]
    public async Task An_open_optional_circuit_leaves_the_page_complete_but_for_that_source()
    {
        _factory.Simulator.Set("reco", new RouteBehavior(0, 0, FailureRate: 1));
        for (var i = 0; i < 4; i++)
        {
            var failed = await _client.GetProductAsync(1);
            Assert.Equal("error", failed.Sources.Reco.Status);
        }
        var reached = Stats("reco").Started;

        var reco = (await _client.GetProductAsync(1)).ShouldLackReco("open");
        Assert.Equal("its circuit is open after repeated failures", reco.Detail);
        Assert.Equal(reached, Stats("reco").Started);

        var ready = await (await _client.GetAsync("/health/ready")).ShouldBeJsonAsync<HealthAnswer>(HttpStatusCode.OK);
        Assert.Equal("Circuit not closed: reco (open, optional).", ready.Checks["upstreams"].Description);
    }

    /// <summary>Four failed pages in the window: the breaker of <paramref name="route"/> opens on the fourth.</summary>
    private async Task OpenCircuitAsync(string route)
    {
        _factory.Simulator.Set(route, new RouteBehavior(0, 0, FailureRate: 1));
        for (var i = 0; i < 4; i++)
        {
            var problem = await (await _client.GetAsync("/product/1")).ShouldBeProblemAsync(HttpStatusCode.BadGateway);
            Assert.Equal(route, problem.Member<string>("source"));
        }
        Assert.Equal(4, Stats(route).Started);
        Assert.Equal(2, CircuitLevel(route));
    }

    private RouteStats Stats(string route) => _factory.Simulator.Stats(route);

    /// <summary>Every call that reached the simulator has ended (a call cancelled in flight may still be arriving otherwise).</summary>
    private bool Settled(string route)
    {
        var stats = Stats(route);
        return stats.Started == stats.Succeeded + stats.Failed + stats.Cancelled;
    }

    /// <summary>
    /// This host's <c>storefront.upstream.circuit.state</c> for a source (what /metrics exports): read from its own meter
    /// factory, since OpenTelemetry in a test process would mix every host's series of the same name.
    /// </summary>
    private int CircuitLevel(string source)
    {
        var meters = _factory.Services.GetRequiredService<IMeterFactory>();
        int? level = null;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "storefront.upstream.circuit.state" && ReferenceEquals(instrument.Meter.Scope, meters))
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<int>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == "source" && (string?)tag.Value == source) level = value;
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return level ?? throw new InvalidOperationException($"No circuit state for {source}");
    }
}
