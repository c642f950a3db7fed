namespace Storefront.Tests.Diagnostics;

/// <summary>
/// /metrics of a service running as its own process: OpenTelemetry listens to meters by name, so in the test process
/// every host's requests would add up; a process of its own gives exact counts.
/// </summary>
public sealed class MetricsEndpointTests : IAsyncLifetime
{
    private readonly string _storage = Path.Combine(Path.GetTempPath(), "storefront-tests", Guid.NewGuid().ToString("N"));
    private ServiceProcess _service = null!;
    private HttpClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        _service = await ServiceProcess.StartAsync(new Dictionary<string, string>
        {
            ["Storage__Path"] = _storage,
            // The test counts a reco "ok": reco's 250 ms would make this cold process's first call a timeout on a loaded machine.
            ["Products__Reco__TimeoutMs"] = "10000",
        });
        _client = _service.CreateClient();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _service.DisposeAsync();
        try { Directory.Delete(_storage, recursive: true); } catch (IOException) { } // Best effort: a temp folder.
    }

    [Fact]
    public async Task Metrics_is_prometheus_text_and_its_counters_move_with_traffic()
    {
        await _client.GetAsync("/");
        var before = await ScrapeAsync();
        var rootBefore = RequestCount(before, "/", "200");

        for (var i = 0; i < 5; i++) await _client.GetAsync("/");
        await _client.GetAsync("/product/7");
        await _client.GetAsync("/cached-data");
        await _client.PostAsync("/predict?text=lovely", null);
        await _client.GetAsync("/no/such/thing");

        var after = await ScrapeAsync();
        Assert.Equal(rootBefore + 5, RequestCount(after, "/", "200"));
        Assert.Equal(1, RequestCount(after, "/product/{id}", "200"));
        // Unmatched requests carry no route.
        Assert.Equal(1, after.Named("http_server_request_duration_seconds").Samples
            .Where(s => s.Name == "http_server_request_duration_seconds_count" && !s.Labels.ContainsKey("http_route")
                && s.Labels["http_response_status_code"] == "404").Sum(s => s.Value));
        Assert.Equal("histogram", after.Named("http_server_request_duration_seconds").Type);
        // The embedded simulator's own requests are not the service's traffic.
        Assert.DoesNotContain(after.Named("http_server_request_duration_seconds").Samples,
            s => s.Labels.TryGetValue("http_route", out var route) && route.StartsWith("/pricing", StringComparison.Ordinal));

        // Every figure API.md lists for /metrics.
        foreach (var family in new[]
                 {
                     "http_server_active_requests", "storefront_threadpool_queue_length", "storefront_threadpool_lag_seconds",
                     "storefront_threadpool_threads", "dotnet_thread_pool_queue_length",
                     "storefront_upstream_request_duration_seconds", "storefront_cache_lookups_total", "storefront_cpu_queue_length",
                     "storefront_jobs_waiting", "kestrel_active_connections", "storefront_upstream_circuit_state",
                 })
            Assert.Contains(after, f => f.Name == family);
        Assert.True(after.Named("storefront_upstream_request_duration_seconds")
            .Value("storefront_upstream_request_duration_seconds_count", ("source", "reco"), ("status", "ok")) >= 1);
        Assert.Equal(0, after.Named("storefront_upstream_circuit_state").Value("storefront_upstream_circuit_state", ("source", "pricing")));
        Assert.True(after.Named("storefront_cpu_completed_total").Value("storefront_cpu_completed_total", ("runner", "predict")) >= 1);
        Assert.Equal(1, after.Sum("storefront_cache_lookups_total", "storefront_cache_lookups_total", ("outcome", "miss")));
        // HttpClient's meter stays off the upstream hot path (docs/decisions/telemetry.md).
        Assert.DoesNotContain(after, f => f.Name.StartsWith("http_client_", StringComparison.Ordinal));
    }

    private static double RequestCount(IReadOnlyList<PrometheusText.Family> families, string route, string status) =>
        families.Sum("http_server_request_duration_seconds", "http_server_request_duration_seconds_count",
            ("http_request_method", "GET"), ("http_route", route), ("http_response_status_code", status));

    private async Task<IReadOnlyList<PrometheusText.Family>> ScrapeAsync()
    {
        var response = await _client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }
}
