using System.Diagnostics;
using Storefront.Api.Dashboard;

namespace Storefront.Tests.Dashboard;

/// <summary>The dashboard as a developer runs it: Development, so it is on and needs no token.</summary>
[ServerFree]
public sealed class DashboardStreamTests : IClassFixture<ConfiguredFactory<DashboardStreamTests>>, IHostSettings
{
    public static string Environment => "Development";

    // The load burst's blocking calls would starve the pool of the whole test process, slowing every test beside it:
    // the banner is tested in a process of its own (DashboardBlockingTests).
    public static IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["Diagnostics:BlockingProbeEnabled"] = "false",
    };

    private static readonly string[] SnapshotKeys =
        ["time", "development", "routes", "in_flight", "thread_pool", "upstreams", "cache", "jobs", "cpu", "websockets", "blocking", "load"];

    private readonly ConfiguredFactory<DashboardStreamTests> _factory;

    public DashboardStreamTests(ConfiguredFactory<DashboardStreamTests> factory) => _factory = factory;

    [Fact]
    public async Task Stream_sends_a_snapshot_at_once_then_one_per_second_with_every_contract_key()
    {
        using var client = _factory.CreateClient();
        await using var stream = await SnapshotStream.OpenAsync(client);
        var first = await stream.NextJsonAsync();
        var clock = Stopwatch.StartNew();
        var second = await stream.NextJsonAsync();
        var third = await stream.NextJsonAsync();

        // Two more snapshots cannot come faster than the one-second timer (an upper bound would be flaky on a loaded machine).
        Assert.True(clock.Elapsed > TimeSpan.FromSeconds(1.5), $"Three snapshots in {clock.Elapsed.TotalSeconds:0.00} s");
        foreach (var json in new[] { first, second, third })
        {
            // The member names are the contract (docs/api.md): read on the wire, not through the record.
            Assert.Equal(SnapshotKeys, Names(json));
            Assert.Equal(["lag_ms", "queue_length", "threads"], Names(json.GetProperty("thread_pool")));
            Assert.Equal(["hits", "misses", "hit_ratio"], Names(json.GetProperty("cache")));
            Assert.Equal(["queued", "running", "failed", "dead"], Names(json.GetProperty("jobs")));
            Assert.Equal(["open"], Names(json.GetProperty("websockets")));
            Assert.Equal(["active", "lag_ms", "routes"], Names(json.GetProperty("blocking")));
            Assert.Equal(["running"], Names(json.GetProperty("load")));
            Assert.All(json.GetProperty("upstreams").EnumerateArray(), u => Assert.Equal(
                ["source", "p50_ms", "calls", "ok", "timeout", "error", "rejected", "open", "circuit"], Names(u)));
            Assert.All(json.GetProperty("cpu").EnumerateArray(), c => Assert.Equal(["runner", "queued", "rejected"], Names(c)));

            var snapshot = SnapshotStream.Read(json);
            Assert.True(snapshot.Development);
            Assert.True(snapshot.ThreadPool.Threads > 0);
            // Every registered source is listed before it is called, with its breaker.
            Assert.Contains(snapshot.Upstreams, u => u.Source == "pricing");
            Assert.NotEmpty(snapshot.Cpu);
        }
        var (firstTime, thirdTime) = (SnapshotStream.Read(first).Time, SnapshotStream.Read(third).Time);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", firstTime);
        Assert.NotEqual(firstTime, thirdTime);
    }

    [Fact]
    public async Task Requests_show_in_their_route_group_and_upstream_calls_in_their_source()
    {
        using var client = _factory.CreateClient();
        await using var stream = await SnapshotStream.OpenAsync(client);
        using var traffic = new CancellationTokenSource();
        var sending = Task.Run(async () =>
        {
            while (!traffic.IsCancellationRequested)
            {
                await client.GetAsync("/items");
                await client.GetAsync("/product/3");
            }
        });

        var json = await stream.UntilJsonAsync(s => Group(s, "/items") is { Rps: > 0 } && Group(s, "/product") is not null
                && s.Upstreams.Any(u => u.Calls > 0),
            TimeSpan.FromSeconds(30), "/items and /product requests and upstream calls counted");
        await traffic.CancelAsync();
        await sending;

        Assert.All(json.GetProperty("routes").EnumerateArray(), r => Assert.Equal(["group", "rps", "p50_ms", "p99_ms", "errors"], Names(r)));
        var snapshot = SnapshotStream.Read(json);
        var groups = snapshot.Routes.Select(r => r.Group).ToList();
        Assert.Equal(groups.Order(StringComparer.Ordinal), groups);
        var items = Group(snapshot, "/items")!;
        Assert.True(items.P99Ms >= items.P50Ms);
        Assert.True(items.P50Ms > 0);
        Assert.Equal(0, items.Errors);
    }

    [Fact]
    public async Task The_meter_listener_runs_only_while_a_stream_is_open()
    {
        var meters = _factory.Services.GetRequiredService<DashboardMeters>();
        using var client = _factory.CreateClient();
        // Other tests of this class may be watching: wait for a quiet moment first.
        await Eventually.TrueAsync(() => !meters.IsListening, TimeSpan.FromSeconds(30), "nobody watching: no listener");

        await using (var stream = await SnapshotStream.OpenAsync(client))
        {
            await stream.NextAsync();
            Assert.True(meters.IsListening);
        }

        await Eventually.TrueAsync(() => !meters.IsListening, TimeSpan.FromSeconds(30), "the listener stops when the last viewer leaves");
        Assert.Equal(0, _factory.Services.GetRequiredService<DashboardFeed>().ViewerCount);
    }

    [Fact]
    public async Task Page_is_served_without_a_token()
    {
        using var client = _factory.CreateClient();
        var response = await client.GetAsync("/dashboard");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Load_starts_a_burst_and_refuses_a_second_while_it_runs()
    {
        using var client = _factory.CreateClient();
        var started = await client.PostAsync("/dashboard/load", null);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        Assert.Equal(5, (await started.ShouldBeJsonAsync<LoadStarted>(HttpStatusCode.Accepted)).Seconds);

        await (await client.PostAsync("/dashboard/load", null)).ShouldBeProblemAsync(HttpStatusCode.Conflict);

        await using var stream = await SnapshotStream.OpenAsync(client);
        await stream.UntilAsync(s => Group(s, "/product") is not null, TimeSpan.FromSeconds(30), "the burst's /product calls");
        // The burst ends by itself, and then another may start.
        await stream.UntilAsync(s => !s.Load.Running, TimeSpan.FromSeconds(60), "the burst ends");
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/dashboard/load", null)).StatusCode);
    }

    private static RouteFigures? Group(DashboardSnapshot snapshot, string group) => snapshot.Routes.FirstOrDefault(r => r.Group == group);

    private static string[] Names(JsonElement element) => element.EnumerateObject().Select(p => p.Name).ToArray();
}

/// <summary>The Load button's burst is the dashboard's own traffic: it must not flood the console.</summary>
public sealed class LoadBurstLogTests
{
    [Fact]
    public async Task The_burst_writes_no_line_per_request_to_the_log()
    {
        var logs = new LogCapture();
        await using var factory = new SqliteStorefrontFactory();
        factory.WithEnvironment("Development").With("Logging:LogLevel:Default", "Information").With("Diagnostics:BlockingProbeEnabled", "false")
            .WithServices(services => services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(logs));
        using var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/dashboard/load", null)).StatusCode);
        var burst = factory.Services.GetRequiredService<LoadBurst>();
        await Eventually.TrueAsync(() => !burst.IsRunning, TimeSpan.FromSeconds(60), "the burst ends");
        var lines = logs.Entries.Count(e => e.Category.StartsWith("System.Net.Http.HttpClient." + LoadBurst.ClientName, StringComparison.Ordinal));
        Assert.Equal(0, lines);
    }
}
