using System.Collections.Concurrent;

namespace Storefront.Api.Dashboard;

/// <summary>
/// What the upstream and job instruments reported during one second (requests are counted by <see cref="RequestTally"/>).
/// Measurements arrive on any thread; the listener swaps in a fresh window each second, so a window is only written
/// while it is current and only read after.
/// </summary>
internal sealed class MetricsWindow(long started)
{
    public long Started { get; } = started;

    /// <summary>By upstream source.</summary>
    public ConcurrentDictionary<string, UpstreamStats> Upstreams { get; } = new(StringComparer.Ordinal);

    private long _deadJobs;

    public long DeadJobs => Interlocked.Read(ref _deadJobs);

    public void JobDied() => Interlocked.Increment(ref _deadJobs);
}

/// <summary>One route group's requests in one second.</summary>
internal sealed class RequestStats(long errors)
{
    public LatencyHistogram Durations { get; } = new();

    public long Errors { get; } = errors;
}

internal sealed class UpstreamStats
{
    // ok, timeout, error, rejected, open (cancelled calls count only in the total).
    private readonly long[] _byStatus = new long[5];

    public LatencyHistogram Durations { get; } = new();

    public long this[UpstreamOutcome outcome] => Interlocked.Read(ref _byStatus[(int)outcome]);

    public void Record(double seconds, string? status)
    {
        Durations.Record(seconds);
        if (Outcome(status) is { } outcome) Interlocked.Increment(ref _byStatus[(int)outcome]);
    }

    private static UpstreamOutcome? Outcome(string? status) => status switch
    {
        "ok" => UpstreamOutcome.Ok,
        "timeout" => UpstreamOutcome.Timeout,
        "error" => UpstreamOutcome.Error,
        "rejected" => UpstreamOutcome.Rejected,
        "open" => UpstreamOutcome.Open,
        _ => null,
    };
}

internal enum UpstreamOutcome { Ok, Timeout, Error, Rejected, Open }
