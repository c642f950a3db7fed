using System.Diagnostics;

namespace Storefront.Tests.Diagnostics;

/// <summary>The service on PostgreSQL and Redis, exporting to a receiver of the test's own.</summary>
public sealed class TracingFactory : StorefrontFactory, IAsyncLifetime
{
    public PostgresDatabase Database { get; private set; } = null!;

    public OtlpReceiver Receiver { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Receiver = await OtlpReceiver.StartAsync();
        Database = await PostgresDatabase.CreateAsync();
        await Migrations.MigrateAsync(Database.ConnectionString);
        With("ConnectionStrings:Postgres", Database.ConnectionString)
            .With("ConnectionStrings:Redis", SharedRedis.NextDatabase())
            .With("OTEL_EXPORTER_OTLP_ENDPOINT", Receiver.Endpoint.ToString().TrimEnd('/'))
            .With("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
            // Export within a fraction of a second instead of the default 5 s.
            .With("OTEL_BSP_SCHEDULE_DELAY", "100")
            .With("OTEL_METRIC_EXPORT_INTERVAL", "500")
            // The spans must say "ok": reco's 250 ms would make a cold host's first call a timeout on a loaded machine.
            .With("Products:Reco:TimeoutMs", "10000");
    }

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        await base.DisposeAsync();
        await Database.DisposeAsync();
        await Receiver.DisposeAsync();
    }
}

/// <summary>
/// With OTEL_EXPORTER_OTLP_ENDPOINT set, each request is a trace exported over OTLP: a server span with child spans
/// for each product source, each database command and each Redis call; Problem Details quote the trace's id.
/// </summary>
[Collection(TracingAlone.Name)]
public sealed class TracingTests(TracingFactory factory) : ClientTests<TracingFactory>(factory), IClassFixture<TracingFactory>
{
    [Fact]
    public async Task A_product_request_is_one_trace_with_a_child_span_per_source()
    {
        var traceId = await SendTracedAsync("/product/7", HttpStatusCode.OK);

        var spans = await SpansOfAsync(traceId, "GET /product/{id}", s => s.Name.StartsWith("upstream ", StringComparison.Ordinal), 3);
        var server = Assert.Single(spans, s => s.Name == "GET /product/{id}");
        foreach (var source in new[] { "pricing", "inventory", "reco" })
        {
            var span = Assert.Single(spans, s => s.Name == "upstream " + source);
            Assert.Equal(server.SpanId, span.ParentSpanId);
            Assert.Equal("ok", span.Attributes["storefront.upstream.status"]);
            // The HTTP call itself is a child of the source's span.
            Assert.Contains(spans, s => s.ParentSpanId == span.SpanId && s.Attributes.GetValueOrDefault("http.request.method") == "GET");
        }
    }

    [Fact]
    public async Task Database_commands_and_redis_calls_are_child_spans_of_the_request()
    {
        var itemTrace = await SendTracedAsync("/items?limit=1", HttpStatusCode.OK);
        var itemSpans = await SpansOfAsync(itemTrace, "GET /items/", IsPostgres, 1);
        var itemServer = Assert.Single(itemSpans, s => s.Name == "GET /items/");
        Assert.All(itemSpans.Where(IsPostgres), span => Assert.Equal(itemServer.SpanId, span.ParentSpanId));

        var cacheTrace = await SendTracedAsync("/cached-data", HttpStatusCode.OK);
        var cacheSpans = await SpansOfAsync(cacheTrace, "GET /cached-data", IsRedis, 1);
        var cacheServer = Assert.Single(cacheSpans, s => s.Name == "GET /cached-data");
        Assert.All(cacheSpans.Where(IsRedis), span => Assert.Equal(cacheServer.SpanId, span.ParentSpanId));
    }

    [Fact]
    public async Task Problem_details_quote_the_w3c_trace_id_of_the_request()
    {
        var (traceId, response) = await SendTracedAsync("/items/987654321");
        using (response)
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<Problem>(HttpAssertions.Answers);
            Assert.Equal(traceId, problem!.TraceId);
        }
        await SpansOfAsync(traceId, "GET /items/{item_id}", _ => true, 1);
    }

    private static bool IsPostgres(ReceivedSpan span) =>
        span.Attributes.GetValueOrDefault("db.system") == "postgresql" || span.Attributes.GetValueOrDefault("db.system.name") == "postgresql";

    private static bool IsRedis(ReceivedSpan span) =>
        span.Attributes.GetValueOrDefault("db.system") == "redis" || span.Attributes.GetValueOrDefault("db.system.name") == "redis";

    private async Task<string> SendTracedAsync(string path, HttpStatusCode expected)
    {
        var (traceId, response) = await SendTracedAsync(path);
        using (response) Assert.Equal(expected, response.StatusCode);
        return traceId;
    }

    /// <summary>
    /// Sends the request inside a new trace of the test's own: the client propagates it (W3C traceparent), so the
    /// service's spans carry a trace id the test knows.
    /// </summary>
    private async Task<(string TraceId, HttpResponseMessage Response)> SendTracedAsync(string path)
    {
        using var parent = new Activity("test").SetIdFormat(ActivityIdFormat.W3C).SetParentId(
            ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded).Start();
        var response = await Client.GetAsync(path);
        return (parent.TraceId.ToHexString(), response);
    }

    /// <summary>
    /// Waits until the receiver holds the trace's server span and at least <paramref name="count"/> matching spans
    /// (children end, and may be exported, before their parent); returns all the trace's spans.
    /// </summary>
    private async Task<List<ReceivedSpan>> SpansOfAsync(string traceId, string serverSpan, Func<ReceivedSpan, bool> match, int count)
    {
        try
        {
            await Eventually.TrueAsync(() =>
            {
                var spans = Factory.Receiver.Spans.Where(s => s.TraceId == traceId).ToList();
                return spans.Any(s => s.Name == serverSpan) && spans.Count(match) >= count;
            }, TimeSpan.FromSeconds(30), $"the server span and {count} matching span(s) of trace {traceId} are exported");
        }
        catch (TimeoutException e)
        {
            var seen = Factory.Receiver.Spans.Where(s => s.TraceId == traceId)
                .Select(s => $"{s.Name} [{string.Join(", ", s.Attributes.Select(a => $"{a.Key}={a.Value}"))}]");
            throw new TimeoutException($"{e.Message} Spans of the trace: {string.Join("; ", seen)}", e);
        }
        return [.. Factory.Receiver.Spans.Where(s => s.TraceId == traceId)];
    }
}
