using System.Diagnostics;
using Storefront.Api.Data;

namespace Storefront.Api.Diagnostics;

/// <summary>
/// The database pool's queueing delay, measured as the thread pool's is: every probe interval a connection is taken
/// from the primary's pool and given back at once (no round trip: the pool keeps it open), and the wait is what a
/// request waits for a connection then. A load bound by PostgreSQL queues there, not on the thread pool, so the
/// overload limit watches both. Reported while it lasts, every interval, as the thread-pool probe does. PostgreSQL only:
/// SQLite has no pool to wait in.
/// </summary>
public sealed partial class DatabaseQueueProbe(DatabaseProvider provider, IServiceProvider services, OverloadLimit overload,
    IOptions<BlockingDetectorOptions> options, ILogger<DatabaseQueueProbe> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (provider.IsEmbedded || !overload.Enabled) return;
        var sources = services.GetRequiredService<PostgresSources>();
        var interval = TimeSpan.FromMilliseconds(options.Value.ProbeIntervalMs);
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var started = Stopwatch.GetTimestamp();
            var open = sources.Primary.OpenConnectionAsync(stoppingToken).AsTask();
            try
            {
                while (await Task.WhenAny(open, Task.Delay(interval, stoppingToken)) != open)
                    overload.Observe(OverloadLimit.Source.Database, Stopwatch.GetElapsedTime(started));
                await using var connection = await open;
                overload.Observe(OverloadLimit.Source.Database, Stopwatch.GetElapsedTime(started));
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The database unreachable is not a queue: the requests that need it answer 503 at once by themselves.
                // Whatever the failure, the probe goes on: an exception out of a hosted service would stop the host.
                overload.Observe(OverloadLimit.Source.Database, TimeSpan.Zero);
                LogProbeFailed(logger, e.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Database queue probe: no connection ({Reason})")]
    private static partial void LogProbeFailed(ILogger logger, string reason);
}
