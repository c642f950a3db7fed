using Storefront.Upstreams;

namespace Storefront.Api.Upstreams;

/// <summary>
/// Runs the bundled simulator on a loopback port inside this process when some upstream is not configured,
/// so the service works right after `dotnet run`. Calls to it are real HTTP through the same pooled client.
/// Outside Development it runs only with Upstreams__UseSimulator=true (UpstreamsOptionsValidator), and in
/// Production without its /_sim control routes.
/// </summary>
public sealed partial class EmbeddedSimulator(IOptions<UpstreamsOptions> options, IConfiguration configuration,
    IHostEnvironment environment, ILogger<EmbeddedSimulator> logger) : IHostedService, IAsyncDisposable
{
    private readonly TaskCompletionSource<Uri> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private RunningSimulator? _running;

    /// <summary>Completes once the simulator listens; requests that race startup simply wait for it.</summary>
    public Task<Uri> BaseAddress => _started.Task;

    /// <summary>The live simulator (tests change its latencies); null when every upstream is configured.</summary>
    public SimulatorState? State => _running?.State;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.NeedsSimulator)
        {
            _started.TrySetCanceled(cancellationToken); // Nobody resolves a simulator address in this mode.
            return;
        }
        _running = await SimulatorApp.StartEmbeddedAsync(configuration.GetSection("Simulator"), environment.EnvironmentName, cancellationToken);
        _started.TrySetResult(_running.BaseAddress);
        if (!environment.IsDevelopment())
            LogSimulatorInUse(logger, string.Join(", ", options.Value.MissingSettings()), _running.BaseAddress);
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        var running = Interlocked.Exchange(ref _running, null);
        if (running is not null) await running.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upstreams__UseSimulator=true: the bundled simulator ({Address}) answers for {Settings}")]
    private static partial void LogSimulatorInUse(ILogger logger, string settings, Uri address);
}
