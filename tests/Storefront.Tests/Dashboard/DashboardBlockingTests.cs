namespace Storefront.Tests.Dashboard;

/// <summary>
/// The blocking banner's data, in a process of its own: starving the test process's thread pool would slow every test
/// beside it (as in BlockingDetectorTests).
/// </summary>
public sealed class DashboardBlockingTests
{
    [Fact]
    public async Task Blocking_is_active_and_names_the_blocking_route_while_the_pool_is_starved()
    {
        await using var service = await ServiceProcess.StartAsync(new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Storage__Path"] = Path.Combine(Path.GetTempPath(), "storefront-tests", Guid.NewGuid().ToString("N")),
            ["Diagnostics__Blocking__ProbeIntervalMs"] = "50",
        });
        using var client = service.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(60);
        await using var stream = await SnapshotStream.OpenAsync(client);
        // A busy machine can stall a fresh process's pool while it starts (the banner then names the readiness
        // checks for 3 s): the banner must first go away, so that the one below is the blockers'.
        var calm = await stream.UntilAsync(s => !s.Blocking.Active, TimeSpan.FromSeconds(30), "a snapshot with no banner");
        Assert.Empty(calm.Blocking.Routes);

        // Development turns the probe on; far more sleeping requests than a fresh pool has threads.
        var blockers = Enumerable.Range(0, 16).Select(_ => client.GetAsync("/_diagnostics/block?ms=3000")).ToArray();
        var blocked = await stream.UntilAsync(s => s.Blocking.Active && s.Blocking.Routes.Contains("GET /_diagnostics/block"),
            TimeSpan.FromSeconds(30), "a snapshot with the banner naming the blocking route");
        Assert.True(blocked.Blocking.LagMs >= 200);
        Assert.DoesNotContain(blocked.Blocking.Routes, r => r.Contains("/dashboard/stream", StringComparison.Ordinal));
        await Task.WhenAll(blockers);
    }
}
