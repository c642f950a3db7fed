using System.Diagnostics;
using System.Diagnostics.Metrics;
using Npgsql;

namespace Storefront.Api.Data;

/// <summary>
/// The standby's replay lag as last measured (<see cref="ReplicationLagProbe"/>), exported as
/// <c>storefront.db.replication_lag</c> (seconds). Tolerant reads use the standby only while a measurement is recent
/// and within <see cref="DatabaseOptions.MaxStandbyLagMs"/>: an unknown lag (the standby gone, the probe failing)
/// counts as too much.
/// </summary>
public sealed class ReplicationLag
{
    private readonly TimeSpan _bound;
    private readonly TimeSpan _freshFor;
    private double _seconds = double.NaN;
    private long _measuredAt;

    public ReplicationLag(IOptions<DatabaseOptions> options, IMeterFactory meters)
    {
        _bound = TimeSpan.FromMilliseconds(options.Value.MaxStandbyLagMs);
        // Three missed probes in a row and the last figure is no longer believed.
        _freshFor = TimeSpan.FromMilliseconds(options.Value.LagProbeIntervalMs * 3L);
        var meter = meters.Create("Storefront.Data");
        meter.CreateObservableGauge("storefront.db.replication_lag", Observe, "s",
            "How far the PostgreSQL standby's replay is behind the primary, as last measured");
    }

    /// <summary>The last measured lag, if it is recent.</summary>
    public TimeSpan? Current
    {
        get
        {
            var measuredAt = Interlocked.Read(ref _measuredAt);
            var seconds = Volatile.Read(ref _seconds);
            if (measuredAt == 0 || double.IsNaN(seconds) || Stopwatch.GetElapsedTime(measuredAt) > _freshFor) return null;
            return TimeSpan.FromSeconds(seconds);
        }
    }

    public bool IsWithinBound => Current is { } lag && lag <= _bound;

    public void Measured(TimeSpan lag)
    {
        Volatile.Write(ref _seconds, Math.Max(0, lag.TotalSeconds));
        Interlocked.Exchange(ref _measuredAt, Stopwatch.GetTimestamp());
    }

    public void Unknown() => Volatile.Write(ref _seconds, double.NaN);

    private IEnumerable<Measurement<double>> Observe() =>
        Current is { } lag ? [new Measurement<double>(lag.TotalSeconds)] : [];
}

/// <summary>
/// Measures the standby's lag every <see cref="DatabaseOptions.LagProbeIntervalMs"/>: zero when it has replayed all
/// the WAL it received, else the age of the last transaction it replayed (an overestimate after a quiet spell, which
/// errs toward the primary). Runs only when the connection string names more than one server.
/// </summary>
internal sealed partial class ReplicationLagProbe(
    DatabaseProvider provider, IServiceProvider services, ReplicationLag lag, IOptions<DatabaseOptions> options, ILogger<ReplicationLagProbe> logger)
    : BackgroundService
{
    private const string Sql = """
        SELECT CASE WHEN pg_last_wal_receive_lsn() IS NULL OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                    ELSE COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp()), 0) END::float8
        """;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Resolved only on PostgreSQL: the embedded store has no data sources to make.
        if (provider.Kind != DatabaseKind.Postgres || services.GetRequiredService<PostgresSources>().Standby is not { } standby) return;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.LagProbeIntervalMs));
        var failing = false;
        do
        {
            try
            {
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                deadline.CancelAfter(TimeSpan.FromMilliseconds(Math.Max(1000, options.Value.LagProbeIntervalMs)));
                await using var command = standby.CreateCommand(Sql);
                var seconds = (double)(await command.ExecuteScalarAsync(deadline.Token))!;
                lag.Measured(TimeSpan.FromSeconds(seconds));
                if (failing) LogStandbyBack(logger);
                failing = false;
            }
            catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or InvalidOperationException
                                       && !stoppingToken.IsCancellationRequested)
            {
                lag.Unknown();
                if (!failing) LogNoStandby(logger, ex.GetBaseException().Message);
                failing = true;
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No PostgreSQL standby answers the lag probe ({Reason}): tolerant reads go to the primary until one does")]
    private static partial void LogNoStandby(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "A PostgreSQL standby answers the lag probe again")]
    private static partial void LogStandbyBack(ILogger logger);
}
