using Microsoft.Extensions.Options;

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
            })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .RemoveAllLoggers(); // Per-request client logs are a hot-path cost; failures surface in the response.
        return builder;
    }
}
