using System.Diagnostics;
using Microsoft.Extensions.Options;
using Storefront.Api.Diagnostics;

namespace Storefront.Api.Upstreams;

public static class UpstreamExtensions
{
    public static WebApplicationBuilder AddUpstreams(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<UpstreamsOptions>().BindConfiguration(UpstreamsOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<UpstreamsOptions>, UpstreamsOptionsValidator>();

        services.AddSingleton<EmbeddedSimulator>();
        services.AddHostedService(sp => sp.GetRequiredService<EmbeddedSimulator>());
        services.AddSingleton<UpstreamSources>();

        // One pooled handler for every upstream: connections are reused across requests and recycled every
        // two minutes so DNS changes are seen. Deadlines are per call (UpstreamSource), not HttpClient.Timeout.
        // The client starts a span and writes W3C trace headers per call only when traces are exported: without an
        // exporter nobody reads them, and they cost the 1,000-connection fan-out ~15% of its throughput
        // (docs/benchmarks-notes.md). A null propagator leaves the client's diagnostics handler out altogether.
        var propagator = Telemetry.IsOtlpConfigured(builder.Configuration) ? DistributedContextPropagator.Current : null;
        services.AddHttpClient(UpstreamSource.HttpClientName, (sp, client) =>
            {
                client.Timeout = Timeout.InfiniteTimeSpan;
                client.MaxResponseContentBufferSize = sp.GetRequiredService<IOptions<UpstreamsOptions>>().Value.MaxResponseBytes;
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
                ConnectTimeout = TimeSpan.FromSeconds(5),
                MaxConnectionsPerServer = int.MaxValue,
                UseCookies = false,
                UseProxy = false,
                ActivityHeadersPropagator = propagator,
            })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .RemoveAllLoggers(); // Per-request client logs are a hot-path cost; failures surface in the response.
        return builder;
    }
}
