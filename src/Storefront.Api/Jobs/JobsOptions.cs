namespace Storefront.Api.Jobs;

public sealed class JobsOptions
{
    public const string Section = "Jobs";

    /// <summary>Run the worker in this instance. Turn off for API-only instances.</summary>
    public bool WorkerEnabled { get; set; } = true;

    /// <summary>Jobs one instance runs at once.</summary>
    [Range(1, 256)]
    public int Concurrency { get; set; } = 4;

    /// <summary>How often an idle worker looks for due jobs (a local enqueue wakes it at once).</summary>
    [Range(10, 60_000)]
    public int PollIntervalMs { get; set; } = 500;

    /// <summary>
    /// How long a claimed job belongs to its worker without word from it. A live worker renews its leases every
    /// third of this, so jobs may run longer; a worker that dies loses its jobs to others after this long.
    /// </summary>
    [Range(1, 86_400)]
    public int LeaseSeconds { get; set; } = 60;

    /// <summary>
    /// Longest one attempt may run. Its handler is then cancelled and the attempt counts as failed (retried
    /// with backoff), so a hung call cannot hold a worker slot, and a renewed lease, for ever.
    /// </summary>
    [Range(1, 86_400)]
    public int TimeoutSeconds { get; set; } = 300;

    /// <summary>On SIGTERM, how long running jobs may take to finish before they are interrupted and handed back.</summary>
    [Range(1, 3600)]
    public int ShutdownGraceSeconds { get; set; } = 30;

    /// <summary>
    /// Finished jobs (succeeded or dead) and their recorded effects are deleted this many days after they ended,
    /// so the table stays bounded. 0 keeps them for ever.
    /// </summary>
    [Range(0, 36_500)]
    public int RetentionDays { get; set; } = 30;

    /// <summary>
    /// Unfinished jobs (queued, failed, running) one kind may have; a request that would queue another gets 503 +
    /// Retry-After and stores nothing. Applies to the jobs endpoints queue on their own (/log, /send-email); mail staged
    /// with a registration or an order is bounded by the limits on those instead. Counted approximately (re-read once
    /// a second per instance), so several instances may overshoot it by their last second's share.
    /// </summary>
    [Range(1, 10_000_000)]
    public int MaxQueuedPerKind { get; set; } = 10_000;

    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 5;

    /// <summary>First retry delay; each later one doubles, with ±20% jitter, up to RetryMaxMs.</summary>
    [Range(1, 3_600_000)]
    public int RetryBaseMs { get; set; } = 1000;

    [Range(1, 86_400_000)]
    public int RetryMaxMs { get; set; } = 300_000;
}
