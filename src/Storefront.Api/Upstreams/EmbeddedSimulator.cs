using Microsoft.Extensions.Options;
using Storefront.Upstreams;

namespace Storefront.Api.Upstreams;

/// <summary>
/// Runs the bundled simulator on a loopback port inside this process when some upstream is not configured,
/// so the service works right after `dotnet run`. Calls to it are real HTTP through the same pooled client.
/// </summary>
public sealed class EmbeddedSimulator(IOptions<UpstreamsOptions> options, IConfiguration configuration) : IHostedService, IAsyncDisposable
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
        _running = await SimulatorApp.StartEmbeddedAsync(configuration.GetSection("Simulator"), cancellationToken);
        _started.TrySetResult(_running.BaseAddress);
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        var running = Interlocked.Exchange(ref _running, null);
        if (running is not null) await running.DisposeAsync();
    }
}
