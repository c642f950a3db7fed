using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using Storefront.Api.Diagnostics;

namespace Storefront.Api.Dashboard;

/// <summary>
/// One snapshot per second for every viewer: while at least one stream is open, a timer reads the meters, builds and
/// serializes one snapshot, and hands the same string to each viewer's queue. A queue holds two snapshots and drops
/// the oldest, so a slow viewer gets fresher data later and never holds memory or the others up. With no viewer the
/// timer and the listener stop.
/// </summary>
internal sealed partial class DashboardFeed(DashboardMeters meters, SnapshotBuilder builder, TimeProvider clock, ShutdownDrain drain,
    ILogger<DashboardFeed> logger) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private readonly List<Channel<string>> _viewers = [];
    private readonly SemaphoreSlim _wake = new(0);
    private string? _latest;

    internal int ViewerCount
    {
        get { lock (_gate) return _viewers.Count; }
    }

    /// <summary>The snapshots for one viewer, the latest one at once, until the viewer leaves or the service stops.</summary>
    public async IAsyncEnumerable<string> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var viewer = Join();
        try
        {
            await foreach (var snapshot in viewer.Reader.ReadAllAsync(cancellationToken)) yield return snapshot;
        }
        finally
        {
            Leave(viewer);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Streams end when the drain is over, like WebSockets: the host then waits for no open viewer.
        using var closing = drain.Stopping.Register(CloseAll);
        try
        {
            while (true)
            {
                await _wake.WaitAsync(stoppingToken);
                if (ViewerCount > 0) await BroadcastWhileWatchedAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    private async Task BroadcastWhileWatchedAsync(CancellationToken stoppingToken)
    {
        meters.Start(clock.GetTimestamp());
        try
        {
            using var timer = new PeriodicTimer(Period, clock);
            do
            {
                Publish();
            }
            while (await timer.WaitForNextTickAsync(stoppingToken) && StillWatched());
        }
        finally
        {
            meters.Stop();
        }
    }

    private void Publish()
    {
        string snapshot;
        try
        {
            var now = clock.GetTimestamp();
            snapshot = JsonSerializer.Serialize(builder.Build(meters.Collect(now), now), DashboardJsonContext.Default.DashboardSnapshot);
        }
        catch (Exception ex)
        {
            // A snapshot that cannot be made is skipped: the next second tries again, and the host keeps running.
            LogSnapshotFailed(logger, ex);
            return;
        }
        lock (_gate)
        {
            _latest = snapshot;
            foreach (var viewer in _viewers) viewer.Writer.TryWrite(snapshot);
        }
    }

    private Channel<string> Join()
    {
        var viewer = Channel.CreateBounded<string>(new BoundedChannelOptions(2)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        lock (_gate)
        {
            if (drain.Stopping.IsCancellationRequested) viewer.Writer.TryComplete();
            _viewers.Add(viewer);
            // A viewer joining a running feed gets the current second at once; the first viewer wakes the timer,
            // which publishes at once.
            if (_latest is not null) viewer.Writer.TryWrite(_latest);
            if (_viewers.Count == 1) _wake.Release();
        }
        return viewer;
    }

    private void Leave(Channel<string> viewer)
    {
        lock (_gate) _viewers.Remove(viewer);
    }

    private bool StillWatched()
    {
        lock (_gate)
        {
            if (_viewers.Count > 0) return true;
            _latest = null; // Stale by the time anyone comes back.
            return false;
        }
    }

    private void CloseAll()
    {
        lock (_gate) _viewers.ForEach(viewer => viewer.Writer.TryComplete());
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not make the dashboard's snapshot")]
    private static partial void LogSnapshotFailed(ILogger logger, Exception exception);
}
