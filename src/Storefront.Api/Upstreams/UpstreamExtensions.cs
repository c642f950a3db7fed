using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Storefront.Api.Diagnostics;
using Storefront.Api.Http;

namespace Storefront.Api.Upstreams;

public static class UpstreamExtensions
{
    public static WebApplicationBuilder AddUpstreams(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<UpstreamsOptions>(UpstreamsOptions.Section);
        services.AddSingleton<IValidateOptions<UpstreamsOptions>, UpstreamsOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);

        services.AddSingleton<EmbeddedSimulator>();
        services.AddHostedService(sp => sp.GetRequiredService<EmbeddedSimulator>());
        services.AddSingleton<UpstreamSources>();
        services.AddObservableMetrics<UpstreamCircuits>();
        services.AddHealthChecks().AddCheck<UpstreamsHealthCheck>("upstreams", tags: ["ready"]);
        return builder;
    }

    /// <summary>
    /// Registers one upstream source under <paramref name="name"/>: its policy (read when first used, after the options
    /// are validated; UpstreamSource builds its resilience pipeline from it) and a named client of its own.
    /// </summary>
    public static IServiceCollection AddUpstreamSource(this IServiceCollection services, string name, Func<IServiceProvider, SourcePolicy> policy)
    {
        services.AddKeyedSingleton(name, (sp, _) => policy(sp));
        services.AddSingleton(new UpstreamSourceName(name));

        // A pooled handler per source: connections are reused across requests and recycled every two minutes so DNS
        // changes are seen, and a source that hangs holds only its own connections. Deadlines are the pipeline's, not
        // HttpClient.Timeout. The client starts a span and writes W3C trace headers per call only when traces are
        // exported: without an exporter nobody reads them, and they cost the 1,000-connection fan-out a visible share of
        // its throughput (docs/benchmarks-notes.md). A null propagator leaves the client's diagnostics handler out altogether.
        services.AddHttpClient(UpstreamSources.ClientName(name), (sp, client) =>
            {
                client.Timeout = Timeout.InfiniteTimeSpan;
                client.MaxResponseContentBufferSize = MaxResponseBytes(sp);
            })
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
                ConnectTimeout = TimeSpan.FromSeconds(5),
                MaxConnectionsPerServer = int.MaxValue,
                UseCookies = false,
                UseProxy = false,
                // A source answers at its own address: a redirect is reported as its status, not followed to wherever it
                // points (which could be an internal address), and the client needs no redirect layer on every call.
                AllowAutoRedirect = false,
                ActivityHeadersPropagator = Telemetry.IsOtlpConfigured(sp.GetRequiredService<IConfiguration>())
                    ? DistributedContextPropagator.Current
                    : null,
            })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .RemoveAllLoggers(); // Per-request client logs are a hot-path cost; failures surface in the response.
        return services;
    }

    private static int MaxResponseBytes(IServiceProvider services) =>
        services.GetRequiredService<IOptions<UpstreamsOptions>>().Value.MaxResponseBytes;
}
