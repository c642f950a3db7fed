using Microsoft.Extensions.DependencyInjection.Extensions;
using Storefront.Api.Http;

namespace Storefront.Api.Diagnostics;

public static class ShutdownExtensions
{
    public static WebApplicationBuilder AddGracefulShutdown(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<ShutdownOptions>(ShutdownOptions.Section);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ShutdownDrain>();
        services.AddHostedService(sp => sp.GetRequiredService<ShutdownDrain>());
        // One deadline for the whole stop, counted from its start: the drain, then the longest grace a part asks for
        // (in-flight requests get the same time). Without any, the host's default (30 s) follows the drain.
        services.AddOptions<HostOptions>().Configure<IOptions<ShutdownOptions>, IEnumerable<StopGrace>>((host, shutdown, graces) =>
            host.ShutdownTimeout = TimeSpan.FromSeconds(shutdown.Value.DrainDelaySeconds)
                + graces.Select(g => g.Time).DefaultIfEmpty(host.ShutdownTimeout).Max());
        services.AddHealthChecks().AddCheck<ShutdownHealthCheck>("shutdown", tags: ["ready"]);
        return builder;
    }

    /// <summary>First in the pipeline, so every answer during the drain closes its connection, refusals included.</summary>
    public static WebApplication UseGracefulShutdown(this WebApplication app)
    {
        app.UseMiddleware<CloseConnectionsWhileDraining>();
        return app;
    }
}
