using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Options;

namespace Storefront.Api.Diagnostics.Metrics;

/// <summary>GET /metrics in the Prometheus text format, fed by every <c>Storefront*</c> meter.</summary>
public static class MetricsEndpoint
{
    public static WebApplicationBuilder AddMetrics(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => new MetricsRegistry(
            sp.GetRequiredService<IOptions<MetricsOptions>>().Value,
            sp.GetRequiredService<IMeterFactory>(),
            sp.GetRequiredService<ILogger<MetricsRegistry>>()));
        services.AddHostedService<MetricsListenerStart>();
        return builder;
    }

    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder app)
    {
        app.MapGet("/metrics", WriteMetricsAsync)
            .Produces<string>(StatusCodes.Status200OK, "text/plain")
            .WithTags("Operations");
        return app;
    }

    private static async Task WriteMetricsAsync(HttpContext context, MetricsRegistry registry, CancellationToken cancellationToken)
    {
        // Formatted into memory first: the registry is read under its lock, the network is written after it, async.
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        PrometheusTextFormatter.Write(registry.Collect(), text);
        context.Response.ContentType = PrometheusTextFormatter.ContentType;
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsync(text.ToString(), cancellationToken);
    }

    /// <summary>Starts the listener with the host, so measurements made before the first scrape are counted.</summary>
    private sealed class MetricsListenerStart(MetricsRegistry registry) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            registry.Start();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
