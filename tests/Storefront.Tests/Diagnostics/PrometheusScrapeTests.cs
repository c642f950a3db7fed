using Storefront.Tests.Infrastructure;

namespace Storefront.Tests.Diagnostics;

/// <summary>A real Prometheus scrapes a running service and answers queries on what it collected.</summary>
public sealed class PrometheusScrapeTests(SqliteStorefrontFactory factory) : IClassFixture<SqliteStorefrontFactory>
{
    [Fact]
    public async Task Prometheus_scrapes_the_request_rate_and_the_thread_pool_lag()
    {
        using var client = factory.CreateClient();
        await using var prometheus = await PrometheusServer.StartAsync(client.BaseAddress!, "storefront");
        using var traffic = new CancellationTokenSource();
        var load = DriveTrafficAsync(client, traffic.Token);
        try
        {
            await Eventually.TrueAsync(async () => (await prometheus.QueryAsync("up{job=\"storefront\"}")) is [1], TimeSpan.FromSeconds(60),
                "Prometheus scrapes /metrics successfully");
            await Eventually.TrueAsync(async () =>
                    (await prometheus.QueryAsync("sum(rate(http_server_request_duration_seconds_count{job=\"storefront\",http_route=\"/\"}[5s]))"))
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
        }
    }

    private static async Task DriveTrafficAsync(HttpClient client, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await client.GetAsync("/", cancellationToken);
                await Task.Delay(20, cancellationToken);
            }
        }
        catch (OperationCanceledException) { }
    }
}
