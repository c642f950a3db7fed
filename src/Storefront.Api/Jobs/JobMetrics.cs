using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Storefront.Api.Jobs;

/// <summary>
/// Job figures for /metrics. Queue depth comes from the database (all instances' jobs), refreshed by the
/// worker every few seconds: observable callbacks are synchronous and must not query a database themselves.
/// </summary>
public sealed class JobMetrics
{
    public static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(2);

    /// <summary>The instrument names other features read (the dashboard), so they are spelled only here.</summary>
    public static class Names
    {
        public const string Finished = "storefront.jobs.finished";
        public const string Waiting = "storefront.jobs.waiting";
    }

    private readonly Counter<long> _finished;
    private long _queued, _failed, _running, _refreshed;

    public JobMetrics(IMeterFactory meters)
    {
        var meter = meters.Create("Storefront.Jobs");
        _finished = meter.CreateCounter<long>(Names.Finished, null, "Job attempts that ended, by kind and outcome");
        meter.CreateObservableGauge(Names.Waiting, () => new[]
        {
            new Measurement<long>(Interlocked.Read(ref _queued), new KeyValuePair<string, object?>("status", JobStatus.Queued)),
            new Measurement<long>(Interlocked.Read(ref _failed), new KeyValuePair<string, object?>("status", JobStatus.Failed)),
            new Measurement<long>(Interlocked.Read(ref _running), new KeyValuePair<string, object?>("status", JobStatus.Running)),
        }, null, "Jobs in the database not finished yet, by status (all instances)");
    }

    public bool NeedsRefresh => Stopwatch.GetElapsedTime(Interlocked.Read(ref _refreshed)) > RefreshEvery;

    public void Update(long queued, long failed, long running)
    {
        Interlocked.Exchange(ref _queued, queued);
        Interlocked.Exchange(ref _failed, failed);
        Interlocked.Exchange(ref _running, running);
        Interlocked.Exchange(ref _refreshed, Stopwatch.GetTimestamp());
    }

    public void Finished(string kind, string outcome) =>
        _finished.Add(1, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("outcome", outcome));
}
