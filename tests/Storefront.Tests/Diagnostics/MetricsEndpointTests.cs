using System.Net;
using Storefront.Tests.Infrastructure;

namespace Storefront.Tests.Diagnostics;

public sealed class MetricsEndpointTests(SqliteStorefrontFactory factory) : IClassFixture<SqliteStorefrontFactory>, IDisposable
{
    private readonly HttpClient _client = factory.CreateClient();

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task Metrics_is_prometheus_text_and_its_counters_move_with_traffic()
    {
        await _client.GetAsync("/");
        var before = await ScrapeAsync();
        var rootBefore = before.Named("storefront_http_requests_total").Value("storefront_http_requests_total", ("method", "GET"), ("route", "/"), ("status", "200"));

        for (var i = 0; i < 5; i++) await _client.GetAsync("/");
        await _client.GetAsync("/product/7");
        await _client.GetAsync("/cached-data");
        await _client.PostAsync("/predict?text=lovely", null);
        await _client.GetAsync("/no/such/thing");

        var after = await ScrapeAsync();
        var requests = after.Named("storefront_http_requests_total");
        Assert.Equal(rootBefore + 5, requests.Value("storefront_http_requests_total", ("method", "GET"), ("route", "/"), ("status", "200")));
        Assert.Equal(1, requests.Value("storefront_http_requests_total", ("method", "GET"), ("route", "/product/{id}"), ("status", "200")));
        Assert.True(requests.Value("storefront_http_requests_total", ("method", "GET"), ("route", "unmatched"), ("status", "404")) >= 1);
        Assert.Equal("histogram", after.Named("storefront_http_request_duration_seconds").Type);

        // Every figure API.md lists for /metrics.
        foreach (var family in new[]
                 {
                     "storefront_http_requests_in_flight", "storefront_threadpool_queue_length", "storefront_threadpool_lag_seconds",
                     "storefront_threadpool_threads",
                     "storefront_upstream_request_duration_seconds", "storefront_cache_lookups_total", "storefront_cpu_queue_length",
                     "storefront_jobs_waiting",
                 })
            Assert.Contains(after, f => f.Name == family);
        Assert.True(after.Named("storefront_upstream_request_duration_seconds")
            .Value("storefront_upstream_request_duration_seconds_count", ("source", "reco"), ("status", "ok")) >= 1);
        Assert.True(after.Named("storefront_cpu_completed_total").Value("storefront_cpu_completed_total", ("runner", "predict")) >= 1);
    }

    private async Task<IReadOnlyList<PrometheusText.Family>> ScrapeAsync()
    {
        var response = await _client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }
}
