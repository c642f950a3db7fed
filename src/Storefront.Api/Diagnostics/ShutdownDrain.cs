namespace Storefront.Api.Diagnostics;

/// <summary>
/// The first step of a graceful stop. The host calls <see cref="StoppingAsync"/> before any hosted service stops, so
/// Kestrel still accepts and serves: from then readiness answers 503 and responses ask to close their connection, for
/// Shutdown__DrainDelaySeconds, while the balancer takes this instance out of rotation. When the delay is over,
/// <see cref="Stopping"/> fires (WebSockets close with 1001) and the host goes on: Kestrel stops accepting and lets
/// in-flight requests finish, the job worker hands back what it could not finish.
/// </summary>
/// <remarks>
/// Not ApplicationStopping: on SIGTERM the console lifetime raises that at once, before the host's stop begins, so
/// whatever hangs on it would happen before the drain instead of after it.
/// </remarks>
public sealed partial class ShutdownDrain(IOptions<ShutdownOptions> options, TimeProvider time, ILogger<ShutdownDrain> logger)
    : IHostedLifecycleService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private volatile bool _draining;

    /// <summary>True from the start of the stop: read once per request, so it is a volatile field and nothing more.</summary>
    public bool IsDraining => _draining;

    /// <summary>Cancelled when the drain is over and the instance stops serving.</summary>
    public CancellationToken Stopping => _stopping.Token;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _draining = true;
        var delay = TimeSpan.FromSeconds(options.Value.DrainDelaySeconds);
        if (delay > TimeSpan.Zero)
        {
            LogDraining(logger, options.Value.DrainDelaySeconds);
            try
            {
                await Task.Delay(delay, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // The host's stop deadline passed first (it covers the drain, so only if it was set by hand): stop now.
            }
        }
        await _stopping.CancelAsync();
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _stopping.Dispose();

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Stopping: readiness answers 503; serving {Seconds} s more (Shutdown__DrainDelaySeconds) so the balancer lets go of this instance")]
    private static partial void LogDraining(ILogger logger, int seconds);
}
