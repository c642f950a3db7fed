using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Storefront.Upstreams;

/// <summary>Builds the simulator, either as its own process or embedded in Storefront.Api.</summary>
public static class SimulatorApp
{
    public static WebApplication Create(string[] args, IConfiguration? simulatorSection = null, bool quiet = false)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        // Per-request framework logs would drown the simulator's purpose; embedded, it logs nothing at all.
        // (No appsettings.json of its own: it would collide with the service's when both are published together.)
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        if (quiet) builder.Logging.ClearProviders();
        builder.Services.AddSingleton<System.Diagnostics.Metrics.IMeterFactory, PrivateMeterFactory>();
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, SimulatorJsonContext.Default);
        });
        builder.Services.AddSingleton(new SimulatorState(simulatorSection ?? builder.Configuration.GetSection("Simulator")));
        var app = builder.Build();
        app.MapSimulator();
        return app;
    }

    /// <summary>
    /// Starts the simulator on a free loopback port inside the calling process. Real HTTP on loopback, so
    /// the caller's pooled connections, deadlines and cancellation behave exactly as against remote services.
    /// </summary>
    public static async Task<RunningSimulator> StartEmbeddedAsync(IConfiguration? simulatorSection, CancellationToken cancellationToken)
    {
        var app = Create([], simulatorSection, quiet: true);
        app.Urls.Add("http://127.0.0.1:0");
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>()
            .Addresses.First();
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
