using Storefront.Api.Diagnostics;

namespace Storefront.Tests.Diagnostics;

public sealed class BlockingDetectorTests
{
    /// <summary>
    /// In a process of its own: starving the thread pool of the test process would slow every other test
    /// running beside it, and their load would muddle which requests the warning names.
    /// </summary>
    [Fact]
    public async Task Blocking_request_threads_triggers_a_warning_naming_the_route()
    {
        await using var service = await ServiceProcess.StartAsync(new Dictionary<string, string>
        {
            ["Storage__Path"] = Path.Combine(Path.GetTempPath(), "storefront-tests", Guid.NewGuid().ToString("N")),
            ["Diagnostics__BlockingProbeEnabled"] = "true",
            ["Diagnostics__Blocking__ProbeIntervalMs"] = "50",
            ["Diagnostics__Blocking__WarnAboveMs"] = "300",
            ["Diagnostics__Blocking__WarnEverySeconds"] = "1",
        });
        using var client = service.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(60);

        // Far more sleeping requests than a fresh pool has threads (one per core to start with): the detector's probes
        // queue behind them, on a 2-core machine or a larger one.
        var blockers = Enumerable.Range(0, Math.Max(16, 4 * Environment.ProcessorCount))
            .Select(_ => client.GetAsync("/_diagnostics/block?ms=3000")).ToArray();
        // On a timeout the message carries the service's output (the last value seen). A loaded machine can stall the
        // pool before the blockers arrive too (start-up, JIT): that warning names other requests, so wait for one that
        // names the blockers rather than judging the first.
        await Eventually.ValueAsync(() => Task.FromResult(service.Output), output => output.Split('\n').Any(line =>
                line.Contains("Thread pool is blocked", StringComparison.Ordinal) && line.Contains("GET /_diagnostics/block", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30), "the service logs a blocking warning naming the blocking route");
        await Task.WhenAll(blockers);
    }

    [Fact]
    public async Task The_blocking_probe_endpoint_does_not_exist_unless_enabled()
    {
        await using var factory = new SqliteStorefrontFactory();
        using var client = factory.CreateClient();
        await (await client.GetAsync("/_diagnostics/block?ms=1")).ShouldBeProblemAsync(System.Net.HttpStatusCode.NotFound);
        Assert.False(factory.Services.GetService(typeof(BlockingDetector)) is null, "the detector runs in every instance");
    }
}
