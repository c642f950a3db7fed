using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Storefront.Api.Diagnostics;

/// <summary>
/// OpenTelemetry, wired the way the ASP.NET Core templates do it: metrics always (served at /metrics for
/// Prometheus), traces only when an OTLP endpoint is configured. Storefront's own meters and activity sources are
/// named <c>Storefront.*</c>; features that use an instrumented library (Npgsql, Redis) add its instrumentation
/// themselves with <c>ConfigureOpenTelemetryTracerProvider</c>.
/// </summary>
public static class Telemetry
{
    /// <summary>Prefix of every meter and activity source the service defines.</summary>
    public const string SourcePrefix = "Storefront";

    private const string HostingDiagnosticsCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    private const string RequestDurationInstrument = "http.server.request.duration";

    /// <summary>Most series of any instrument but the request histogram.</summary>
    internal const int SeriesLimit = 256;

    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource =>
            {
                // OTEL_SERVICE_NAME (read by the default resource) wins over the built-in name.
                if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_SERVICE_NAME"])) resource.AddService("storefront");
            })
            .WithMetrics(metrics => metrics
                // The request-duration histogram and active requests come from ASP.NET Core's own meter, Kestrel's
                // connection figures from its own; routing and diagnostics meters are left out (per-request cost, little use).
                .AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
                // No HttpClient meter: it records several measurements per upstream call (connection state changes,
                // queue time, active requests, duration), a large share of the 1,000-connection product fan-out's
                // throughput (docs/benchmarks-notes.md); views that drop some of them put every instrument on a slower
                // path. storefront.upstream.request.duration (per source and outcome) measures the same calls, and
                // traces keep HttpClient's spans.
                .AddRuntimeInstrumentation()
                .AddMeter(SourcePrefix + ".*")
                // Every metric stream sets aside room for its cardinality limit when it is created, 2,000 series unless
                // told otherwise, and there are dozens of streams: memory held from the start whatever the traffic.
                // Only the request histogram (route × method × status × protocol) can have that many series; the other
                // instruments have a few each, far under this limit (past it, measurements go to the overflow series).
                .AddView(instrument => instrument.Name == RequestDurationInstrument ? null
                    : new MetricStreamConfiguration { CardinalityLimit = SeriesLimit })
                // A scrape always reads current values: the exporter's response cache would hide fresh traffic.
                .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));

        // Without an exporter nobody reads spans: no tracer provider at all, so no activity is created on the hot path.
        if (IsOtlpConfigured(builder.Configuration))
        {
            otel.WithTracing(tracing => tracing
                    .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsScrapeOrProbe(context.Request.Path))
                    .AddHttpClientInstrumentation()
                    .AddSource(SourcePrefix + ".*"))
                .UseOtlpExporter();
        }
        else
        {
            // Without tracing, ASP.NET Core would still make an Activity and a logging scope for every request, because
            // its hosting-diagnostics category can log (at any level): a visible share of GET /'s CPU in profiles
            // (docs/benchmarks-notes.md). That category's lines are the per-request "Request starting/finished"
            // (Information and Debug, off under the shipped "Microsoft.AspNetCore": "Warning"); an error answer makes
            // its trace id when it needs one (Http/RequestTrace) and the unhandled-exception line carries it.
            builder.Logging.AddFilter(HostingDiagnosticsCategory, LogLevel.None);
        }
        return builder;
    }

    /// <summary>
    /// Registers <typeparamref name="T"/>, a class whose constructor creates observable instruments, and creates it
    /// when the meter provider starts with the host: its series are there from the first scrape, not from first use.
    /// </summary>
    public static IServiceCollection AddObservableMetrics<T>(this IServiceCollection services) where T : class
    {
        services.AddSingleton<T>();
        services.ConfigureOpenTelemetryMeterProvider((sp, _) => sp.GetRequiredService<T>());
        return services;
    }

    /// <summary>GET /metrics: every meter above in the Prometheus text format.</summary>
    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics").WithTags("Operations");
        return app;
    }

    /// <summary>OTLP export is on when the standard OTEL_EXPORTER_OTLP_ENDPOINT is set (environment or configuration).</summary>
    public static bool IsOtlpConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

    private static bool IsScrapeOrProbe(PathString path) =>
        path.StartsWithSegments("/metrics", StringComparison.Ordinal) || path.StartsWithSegments("/health", StringComparison.Ordinal);
}
