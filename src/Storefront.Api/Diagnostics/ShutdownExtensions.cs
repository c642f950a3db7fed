using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Storefront.Api.Diagnostics;

/// <summary>
/// Time a part of the service needs, after the drain, to stop cleanly (the job worker's grace for running jobs).
/// Registered by the part that needs it, so the host's stop timeout is computed here alone.
/// </summary>
public sealed record StopGrace(string Part, TimeSpan Time);

public static class ShutdownExtensions
{
    public static WebApplicationBuilder AddGracefulShutdown(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ShutdownOptions>().BindConfiguration(ShutdownOptions.Section).ValidateDataAnnotations().ValidateOnStart();
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

/// <summary>Unhealthy while the instance drains, so balancers and Kubernetes stop sending it traffic.</summary>
internal sealed class ShutdownHealthCheck(ShutdownDrain drain) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(drain.IsDraining ? HealthCheckResult.Unhealthy("shutting down") : HealthCheckResult.Healthy());
}

/// <summary>
/// While draining, each HTTP/1.1 response says <c>Connection: close</c>. A balancer without active health checks
/// (nginx) keeps connections to the instance alive and would see them cut when it stops; this way they are closed one
/// by one, each after a complete answer, while the instance still serves. HTTP/2 has no such header (Kestrel's GOAWAY
/// on stop does that job there). A WebSocket handshake during the drain is refused (Live), never upgraded.
/// </summary>
internal sealed class CloseConnectionsWhileDraining(RequestDelegate next, ShutdownDrain drain)
{
    public Task InvokeAsync(HttpContext context)
    {
        // At the start of the response, not now: the exception handler clears the headers of a failed request.
        if (drain.IsDraining && HttpProtocol.IsHttp11(context.Request.Protocol))
            context.Response.OnStarting(AskToClose, context.Response);
        return next(context);
    }

    private static Task AskToClose(object response)
    {
        ((HttpResponse)response).Headers.Connection = "close";
        return Task.CompletedTask;
    }
}
