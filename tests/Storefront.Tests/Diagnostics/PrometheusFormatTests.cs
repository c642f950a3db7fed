using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.RegularExpressions;
using Storefront.Api.Diagnostics.Metrics;

namespace Storefront.Tests.Diagnostics;

/// <summary>
/// The /metrics text as Prometheus reads it: every output here goes through <see cref="PrometheusText"/>, a strict
/// reader of the 0.0.4 grammar, before any value is looked at.
/// </summary>
public sealed class PrometheusFormatTests
{
    private static KeyValuePair<string, object?> Tag(string name, object? value) => new(name, value);

    [Fact]
    public void Every_instrument_kind_gives_output_the_strict_parser_accepts()
    {
        using var metrics = new TestMetrics();
        var meter = metrics.Meter;
        meter.CreateCounter<long>("orders.placed", description: "Orders placed.").Add(3, Tag("channel", "web"));
        meter.CreateCounter<double>("revenue").Add(12.5);
        meter.CreateUpDownCounter<long>("carts.open").Add(4);
        meter.CreateGauge<double>("temperature").Record(21.5);
        meter.CreateHistogram<double>("checkout.duration", "s").Record(0.3, Tag("step", "pay"));
        meter.CreateHistogram<long>("basket.size", advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 5, 10] }).Record(7);
        meter.CreateObservableCounter("jobs.done", () => 9L);
        meter.CreateObservableUpDownCounter("queue.depth", () => 2);
        meter.CreateObservableGauge("pool.usage", () => new Measurement<double>(0.75, Tag("pool", "db")));
        meter.CreateCounter<int>("9lives.cache-hits").Add(1, Tag("http.route", "/a\"b\\c\nd"), Tag("2nd-try", true));

        var families = PrometheusText.Parse(metrics.Scrape());

        Assert.Equal(
            ["_9lives_cache_hits_total", "basket_size", "carts_open", "checkout_duration_seconds", "jobs_done_total",
             "orders_placed_total", "pool_usage", "queue_depth", "revenue_total", "temperature"],
            families.Select(f => f.Name));
        Assert.Equal(["counter", "histogram", "gauge", "histogram", "counter", "counter", "gauge", "gauge", "counter", "gauge"],
            families.Select(f => f.Type));
        Assert.Equal(9, families.Named("jobs_done_total").Value("jobs_done_total"));
        Assert.Equal(0.75, families.Named("pool_usage").Value("pool_usage", ("pool", "db")));
        Assert.Equal(1, families.Named("_9lives_cache_hits_total").Value("_9lives_cache_hits_total", ("http_route", "/a\"b\\c\nd"), ("_2nd_try", "true")));
    }

    [Fact]
    public void Registry_without_measurements_writes_empty_output()
    {
        using var metrics = new TestMetrics();
        metrics.Meter.CreateCounter<long>("never.added");
        metrics.Meter.CreateHistogram<double>("never.recorded");

        var text = metrics.Scrape();

        Assert.Equal("", text);
        Assert.Empty(PrometheusText.Parse(text));
    }

    [Fact]
    public void Counter_ends_in_total_carries_its_help_and_grows_with_each_add()
    {
        using var metrics = new TestMetrics();
        var counter = metrics.Meter.CreateCounter<long>("orders.placed", description: "Orders placed.");

        counter.Add(2);
        Assert.Equal(2, PrometheusText.Parse(metrics.Scrape()).Named("orders_placed_total").Value("orders_placed_total"));
        counter.Add(3);
        counter.Add(-10); // a counter cannot go down: ignored rather than read as a reset
        var family = PrometheusText.Parse(metrics.Scrape()).Named("orders_placed_total");

        Assert.Equal(5, family.Value("orders_placed_total"));
        Assert.Equal("Orders placed.", family.Help);
    }

    [Fact]
    public void Two_tag_sets_give_two_series_and_the_same_set_in_another_order_gives_one()
    {
        using var metrics = new TestMetrics();
        var counter = metrics.Meter.CreateCounter<long>("requests");

        counter.Add(1, Tag("method", "GET"), Tag("status", "200"));
        counter.Add(1, Tag("status", "200"), Tag("method", "GET"));
        counter.Add(1, Tag("method", "POST"), Tag("status", "200"));
        var family = PrometheusText.Parse(metrics.Scrape()).Named("requests_total");

        Assert.Equal(2, family.Samples.Count);
        Assert.Equal(2, family.Value("requests_total", ("method", "GET"), ("status", "200")));
        Assert.Equal(1, family.Value("requests_total", ("method", "POST"), ("status", "200")));
    }

    [Fact]
    public void Concurrent_measurements_from_eight_threads_give_exact_totals()
    {
        using var metrics = new TestMetrics();
        var counter = metrics.Meter.CreateCounter<long>("hits");
        var histogram = metrics.Meter.CreateHistogram<double>("work.duration", "s");
        const int Threads = 8, PerThread = 100_000;
        using var start = new Barrier(Threads);
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            var tag = Tag("shard", t % 2 == 0 ? "even" : "odd");
            start.SignalAndWait();
            for (var i = 0; i < PerThread; i++)
            {
                counter.Add(1, tag);
                histogram.Record(0.5);
            }
        })).ToList();

        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        var families = PrometheusText.Parse(metrics.Scrape());

        Assert.Equal(Threads * PerThread, families.Named("hits_total").Samples.Sum(s => s.Value));
        var duration = families.Named("work_duration_seconds");
        Assert.Equal(Threads * PerThread, duration.Value("work_duration_seconds_count"));
        Assert.Equal(Threads * PerThread * 0.5, duration.Value("work_duration_seconds_sum"));
    }

    [Fact]
    public void Instruments_of_meters_outside_the_prefix_are_ignored()
    {
        using var metrics = new TestMetrics();
        using var elsewhere = new Meter("Elsewhere." + metrics.Prefix);
        elsewhere.CreateCounter<long>("outside").Add(1);
        metrics.Meter.CreateCounter<long>("inside").Add(1);

        var families = PrometheusText.Parse(metrics.Scrape());

        Assert.Equal(["inside_total"], families.Select(f => f.Name));
    }

    [Fact]
    public void Histogram_uses_its_advice_buckets_when_given_and_seconds_buckets_otherwise()
    {
        using var metrics = new TestMetrics();
        var advised = metrics.Meter.CreateHistogram("payload.size", "By", null, null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = [64, 1024, 4096] });
        var plain = metrics.Meter.CreateHistogram<double>("lookup.duration", "s");
        advised.Record(100);
        plain.Record(0.01);
        var families = PrometheusText.Parse(metrics.Scrape());

        Assert.Equal(["64", "1024", "4096", "+Inf"], families.Named("payload_size_bytes").Les("payload_size_bytes_bucket"));
        Assert.Equal(["0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"],
            families.Named("lookup_duration_seconds").Les("lookup_duration_seconds_bucket"));
    }

    [Fact]
    public void Histogram_buckets_are_cumulative_upper_inclusive_and_end_at_the_count()
    {
        using var metrics = new TestMetrics();
        var histogram = metrics.Meter.CreateHistogram("latency", "s", null, null, new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 1] });
        foreach (var value in new[] { 0.05, 0.1, 0.5, 1, 7, double.NaN }) histogram.Record(value, Tag("route", "/"));
        var family = PrometheusText.Parse(metrics.Scrape()).Named("latency_seconds");

        Assert.Equal(2, family.Value("latency_seconds_bucket", ("route", "/"), ("le", "0.1")));
        Assert.Equal(4, family.Value("latency_seconds_bucket", ("route", "/"), ("le", "1")));
        Assert.Equal(5, family.Value("latency_seconds_bucket", ("route", "/"), ("le", "+Inf")));
        Assert.Equal(5, family.Value("latency_seconds_count", ("route", "/"))); // NaN is dropped: it would poison the sum
        Assert.Equal(8.65, family.Value("latency_seconds_sum", ("route", "/")), 9);
    }

    [Fact]
    public void Label_values_with_quotes_backslashes_and_newlines_are_escaped_and_read_back()
    {
        using var metrics = new TestMetrics();
        const string Awkward = "say \"hi\"\\ then\nnewline";
        metrics.Meter.CreateCounter<long>("greetings").Add(1, Tag("text", Awkward));

        var text = metrics.Scrape();

        Assert.Contains("greetings_total{text=\"say \\\"hi\\\"\\\\ then\\nnewline\"} 1\n", text, StringComparison.Ordinal);
        Assert.Equal(1, PrometheusText.Parse(text).Named("greetings_total").Value("greetings_total", ("text", Awkward)));
    }

    [Fact]
    public void Help_text_escapes_backslash_and_newline_but_not_quotes()
    {
        using var metrics = new TestMetrics();
        metrics.Meter.CreateCounter<long>("paths", description: "Per C:\\dir\nsecond \"line\"").Add(1);

        var text = metrics.Scrape();

        Assert.StartsWith("# HELP paths_total Per C:\\\\dir\\nsecond \"line\"\n# TYPE paths_total counter\n", text, StringComparison.Ordinal);
        Assert.Equal("Per C:\\dir\nsecond \"line\"", PrometheusText.Parse(text).Named("paths_total").Help);
    }

    [Theory]
    [InlineData("storefront.cache-hits", null, "storefront_cache_hits_total")]
    [InlineData("2xx.responses", null, "_2xx_responses_total")]
    [InlineData("bytes.sent", "By", "bytes_sent_bytes_total")]
    [InlineData("wait_seconds", "s", "wait_seconds_total")]
    [InlineData("upload.total", "By", "upload_bytes_total")]
    [InlineData("café.visits", "{visit}", "caf__visits_total")]
    public void Counter_names_are_sanitised_and_take_their_unit_before_total(string instrument, string? unit, string expected)
    {
        using var metrics = new TestMetrics();
        metrics.Meter.CreateCounter<long>(instrument, unit).Add(1);

        Assert.Equal([expected], PrometheusText.Parse(metrics.Scrape()).Select(f => f.Name));
    }

    [Fact]
    public void UpDownCounter_is_a_gauge_that_can_go_down()
    {
        using var metrics = new TestMetrics();
        var inFlight = metrics.Meter.CreateUpDownCounter<long>("requests.in_flight");
        inFlight.Add(3);
        inFlight.Add(-5);

        var family = PrometheusText.Parse(metrics.Scrape()).Named("requests_in_flight");

        Assert.Equal("gauge", family.Type);
        Assert.Equal(-2, family.Value("requests_in_flight"));
    }

    [Fact]
    public void Observables_are_read_at_each_scrape_and_a_series_no_longer_reported_ends()
    {
        using var metrics = new TestMetrics();
        Measurement<long>[] reported = [new(5, Tag("queue", "email")), new(7, Tag("queue", "log"))];
        metrics.Meter.CreateObservableCounter("jobs.done", () => reported);

        var first = PrometheusText.Parse(metrics.Scrape()).Named("jobs_done_total");
        reported = [new(9, Tag("queue", "email"))];
        var second = PrometheusText.Parse(metrics.Scrape()).Named("jobs_done_total");

        Assert.Equal(7, first.Value("jobs_done_total", ("queue", "log")));
        Assert.Equal(9, Assert.Single(second.Samples).Value);
    }

    [Fact]
    public void Infinities_and_NaN_are_spelled_as_Prometheus_reads_them()
    {
        using var metrics = new TestMetrics();
        metrics.Meter.CreateObservableGauge("ratio", () => new[]
        {
            new Measurement<double>(double.PositiveInfinity, Tag("case", "a")),
            new Measurement<double>(double.NegativeInfinity, Tag("case", "b")),
            new Measurement<double>(double.NaN, Tag("case", "c")),
            new Measurement<double>(1e-7, Tag("case", "d")),
        });

        var text = metrics.Scrape();

        Assert.Contains("ratio{case=\"a\"} +Inf\n", text, StringComparison.Ordinal);
        Assert.Contains("ratio{case=\"b\"} -Inf\n", text, StringComparison.Ordinal);
        Assert.Contains("ratio{case=\"c\"} NaN\n", text, StringComparison.Ordinal);
        Assert.Equal(1e-7, PrometheusText.Parse(text).Named("ratio").Value("ratio", ("case", "d")));
    }

    [Fact]
    public void A_failing_observable_callback_leaves_the_other_metrics_in_the_scrape()
    {
        using var metrics = new TestMetrics();
        metrics.Meter.CreateObservableGauge("broken", double () => throw new InvalidOperationException("probe failed"));
        metrics.Meter.CreateObservableGauge("working", () => 1.0);

        Assert.Equal(["working"], PrometheusText.Parse(metrics.Scrape()).Select(f => f.Name));
    }

    [Fact]
    public void Label_sets_past_the_limit_share_one_overflow_series()
    {
        using var metrics = new TestMetrics(maxSeries: 3);
        var counter = metrics.Meter.CreateCounter<long>("by.user");
        for (var user = 0; user < 10; user++) counter.Add(1, Tag("user", user));

        var family = PrometheusText.Parse(metrics.Scrape()).Named("by_user_total");

        Assert.Equal(4, family.Samples.Count);
        Assert.Equal(7, family.Value("by_user_total", ("otel_metric_overflow", "true")));
    }

    [Fact]
    public void The_same_counter_from_two_meters_adds_into_one_family()
    {
        using var metrics = new TestMetrics();
        using var second = new Meter(metrics.Prefix + ".second");
        metrics.Meter.CreateCounter<long>("shared").Add(2, Tag("k", "v"));
        second.CreateCounter<long>("shared").Add(3, Tag("k", "v"));
        second.CreateHistogram<double>("shared_total").Record(1); // same exported name, other kind: left out

        var families = PrometheusText.Parse(metrics.Scrape());

        Assert.Equal(5, Assert.Single(families).Value("shared_total", ("k", "v")));
    }

    [Fact]
    public void A_disposed_meter_s_metrics_leave_the_output()
    {
        using var metrics = new TestMetrics();
        using (var shortLived = new Meter(metrics.Prefix + ".short"))
            shortLived.CreateCounter<long>("gone").Add(1);
        metrics.Meter.CreateCounter<long>("kept").Add(1);

        Assert.Equal(["kept_total"], PrometheusText.Parse(metrics.Scrape()).Select(f => f.Name));
    }

    [Fact]
    public void Formatter_sorts_families_and_writes_each_once_with_its_series_together()
    {
        IReadOnlyList<KeyValuePair<string, string>> Labels(string value) => [new("k", value)];
        MetricSnapshot[] snapshots =
        [
            new("b.gauge", "first half", MetricType.Gauge, [new SeriesSnapshot(Labels("1"), 1)]),
            new("a_total", null, MetricType.Counter, [new SeriesSnapshot([], 3)]),
            new("b_gauge", "", MetricType.Gauge, [new SeriesSnapshot(Labels("2"), 2)]),
            new("b_gauge", null, MetricType.Counter, [new SeriesSnapshot(Labels("3"), 3)]),
            new("c", "no series", MetricType.Gauge, []),
        ];
        using var writer = new StringWriter(CultureInfo.InvariantCulture);

        PrometheusTextFormatter.Write(snapshots, writer);

        Assert.Equal("""
            # TYPE a_total counter
            a_total 3
            # HELP b_gauge first half
            # TYPE b_gauge gauge
            b_gauge{k="1"} 1
            b_gauge{k="2"} 2

            """.Replace("\r", "", StringComparison.Ordinal), writer.ToString());
        PrometheusText.Parse(writer.ToString());
    }

    [Theory]
    [InlineData("x 1", "no trailing newline")]
    [InlineData("x 1\n", "no TYPE")]
    [InlineData("# TYPE x gauge\n\nx 1\n", "blank line")]
    [InlineData("# TYPE x gauge\n# TYPE x gauge\nx 1\n", "two TYPEs")]
    [InlineData("# TYPE x gauge\nx 1\n# HELP x late\n", "HELP after samples")]
    [InlineData("# TYPE b gauge\nb 1\n# TYPE a gauge\na 1\n", "unsorted families")]
    [InlineData("# TYPE x gauge\nx{a=\"1\",a=\"2\"} 1\n", "repeated label")]
    [InlineData("# TYPE x gauge\nx{a=\"q\\t\"} 1\n", "unknown escape")]
    [InlineData("# TYPE x gauge\nx 1,5\n", "comma decimal")]
    [InlineData("# TYPE x gauge\nx 1 1700000000\n", "timestamp")]
    [InlineData("# TYPE x gauge\nx 1\nx 2\n", "duplicate series")]
    [InlineData("# TYPE x counter\nx -1\n", "negative counter")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n", "buckets not cumulative")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n", "no +Inf bucket")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 1\n", "+Inf differs from _count")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n", "no _sum")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"2\"} 1\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n", "le descending")]
    public void Strict_parser_rejects_malformed_text(string text, string flaw)
    {
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => PrometheusText.Parse(text));
        Assert.NotEmpty(flaw);
    }

    /// <summary>
    /// A registry of its own listening to a meter of its own: parallel tests never see each other's measurements.
    /// The prefix does not start with "Storefront", so the service's own registry (in the factory-hosted tests) ignores these meters.
    /// </summary>
    private sealed class TestMetrics : IDisposable
    {
        public TestMetrics(int maxSeries = 2000)
        {
            Meter = new Meter(Prefix);
            Registry = new MetricsRegistry(new MetricsOptions { MeterPrefix = Prefix, MaxSeriesPerMetric = maxSeries });
            Registry.Start();
        }

        public string Prefix { get; } = "MetricsTest." + Guid.NewGuid().ToString("N");
        public Meter Meter { get; }
        public MetricsRegistry Registry { get; }

        public string Scrape()
        {
            using var writer = new StringWriter(CultureInfo.InvariantCulture);
            PrometheusTextFormatter.Write(Registry.Collect(), writer);
            return writer.ToString();
        }

        public void Dispose()
        {
            Registry.Dispose();
            Meter.Dispose();
        }
    }
}
