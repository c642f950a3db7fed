using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Storefront.Upstreams;

/// <summary>Builds the simulator, either as its own process or embedded in Storefront.Api.</summary>
public static class SimulatorApp
{
    /// <summary>
    /// The simulated services, plus the /_sim control routes outside Production: whoever can reach those can make
    /// every "upstream" slow or failing, so a production process never has them.
    /// </summary>
    public static WebApplication Create(string[] args, IConfiguration? simulatorSection = null, bool embedded = false, string? environmentName = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, EnvironmentName = environmentName });
        // Per-request framework logs would drown the simulator's purpose; embedded, it logs nothing at all.
        // (No appsettings.json of its own: it would collide with the service's when both are published together.)
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        if (embedded)
        {
            builder.Logging.ClearProviders();
            // Embedded, it reads nothing from the process environment: the host's ASPNETCORE_URLS,
            // Kestrel__Endpoints__* or ASPNETCORE_HTTP_PORTS must never open the simulator on another interface.
            builder.Configuration.Sources.Clear();
            builder.Services.AddSingleton<System.Diagnostics.Metrics.IMeterFactory, PrivateMeterFactory>();
        }
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, SimulatorJsonContext.Default);
        });
        builder.Services.AddSingleton(new SimulatorState(simulatorSection ?? builder.Configuration.GetSection("Simulator")));
        var app = builder.Build();
        app.MapSimulator(controlRoutes: !app.Environment.IsProduction());
        return app;
    }

    /// <summary>
    /// Starts the simulator on a free loopback port inside the calling process. Real HTTP on loopback, so
    /// the caller's pooled connections, deadlines and cancellation behave exactly as against remote services.
    /// <paramref name="environmentName"/> is the host's: in Production the control routes are left out.
    /// </summary>
    public static async Task<RunningSimulator> StartEmbeddedAsync(IConfiguration? simulatorSection, string environmentName,
        CancellationToken cancellationToken)
    {
        var app = Create([], simulatorSection, embedded: true, environmentName);
        app.Urls.Add("http://127.0.0.1:0");
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>()
            .Addresses.Single();
        return new RunningSimulator(app, new Uri(address.TrimEnd('/') + "/"));
    }
}

public sealed class RunningSimulator(WebApplication app, Uri baseAddress) : IAsyncDisposable
{
    public Uri BaseAddress { get; } = baseAddress;

    public SimulatorState State => app.Services.GetRequiredService<SimulatorState>();

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
