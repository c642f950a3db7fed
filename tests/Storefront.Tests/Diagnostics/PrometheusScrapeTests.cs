namespace Storefront.Tests.Diagnostics;

/// <summary>
/// A real Prometheus scrapes a running service and answers queries on what it collected. The service runs as a
/// process of its own, as in production (in the test process, hosts come and go and share meters by name).
/// </summary>
public sealed class PrometheusScrapeTests
{
    [Fact]
    public async Task Prometheus_scrapes_the_request_rate_and_the_thread_pool_lag()
    {
        var storage = Path.Combine(Path.GetTempPath(), "storefront-tests", Guid.NewGuid().ToString("N"));
        await using var service = await ServiceProcess.StartAsync(new Dictionary<string, string> { ["Storage__Path"] = storage });
        using var client = service.CreateClient();
        await using var prometheus = await PrometheusServer.StartAsync(service.BaseAddress, "storefront");
        using var traffic = new CancellationTokenSource();
        var load = DriveTrafficAsync(client, traffic.Token);
        try
        {
            await Eventually.TrueAsync(async () => (await prometheus.QueryAsync("up{job=\"storefront\"}")) is [1], TimeSpan.FromSeconds(60),
                "Prometheus scrapes /metrics successfully");
            await Eventually.TrueAsync(async () =>
                    (await prometheus.QueryAsync("sum(rate(http_server_request_duration_seconds_count{job=\"storefront\",http_route=\"/\"}[10s]))"))
                    is [> 0],
                TimeSpan.FromSeconds(60), "the request rate of GET / is above zero");
            var lag = await prometheus.QueryAsync("storefront_threadpool_lag_seconds{job=\"storefront\"}");
            Assert.NotEmpty(lag);
            Assert.All(lag, seconds => Assert.InRange(seconds, 0, 60));
        }
        finally
        {
            await traffic.CancelAsync();
            await load;
            try { Directory.Delete(storage, recursive: true); } catch (IOException) { } // Best effort: a temp folder.
        }
    }

    private static async Task DriveTrafficAsync(HttpClient client, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await client.GetAsync("/", cancellationToken);
                await Task.Delay(20, cancellationToken); // Not a wait: paces the traffic Prometheus is to see a rate of.
            }
        }
        catch (OperationCanceledException) { }
    }
}
