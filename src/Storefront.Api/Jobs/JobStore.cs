using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Storefront.Api.Data;

namespace Storefront.Api.Jobs;

/// <summary>
/// The worker's database side: claim due jobs under a lease, and record how an attempt ended.
/// On PostgreSQL the claim uses FOR UPDATE SKIP LOCKED, so any number of instances can claim at once and
/// never get the same job; SQLite serialises writers, which gives the same guarantee for its one instance.
/// </summary>
public sealed class JobStore(IServiceScopeFactory scopes, DatabaseProvider provider, TimeProvider clock, IOptions<JobsOptions> options)
{
    /// <summary>
    /// Claims up to <paramref name="max"/> due jobs, and jobs whose lease expired because their worker died: the highest
    /// priority first (mail for users before bulk work), then the longest due.
    /// </summary>
    public async Task<IReadOnlyList<JobContext>> ClaimAsync(string workerId, int max, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorefrontDbContext>();
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();

        // Two index walks, each stopping at @max rows: jobs whose worker died (ix_jobs_leases) first, then the due ones
        // in claiming order (ix_jobs_due). One condition with OR cannot use either index: every claim scanned and sorted
        // the whole table, finished jobs included, which grows for Jobs__RetentionDays.
        var skipLocked = provider.Kind == DatabaseKind.Postgres ? " FOR UPDATE SKIP LOCKED" : "";
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            UPDATE jobs
            SET status = 'running', attempts = attempts + 1, lease_until_ms = @lease, locked_by = @worker
            WHERE id IN (
                SELECT id FROM (
                    SELECT id FROM (
                        SELECT id FROM jobs WHERE status = 'running' AND lease_until_ms < @now LIMIT @max{skipLocked}) AS expired
                    UNION ALL
                    SELECT id FROM (
                        SELECT id FROM jobs WHERE status IN ('queued', 'failed') AND run_after_ms <= @now
                        ORDER BY priority, run_after_ms LIMIT @max{skipLocked}) AS due
                ) AS candidates
                LIMIT @max)
            RETURNING id, kind, payload, attempts, max_attempts;
            """;
        Add(command, "@lease", now + options.Value.LeaseSeconds * 1000L);
        Add(command, "@worker", workerId);
        Add(command, "@now", now);
        Add(command, "@max", max);

        var claimed = new List<JobContext>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            claimed.Add(new JobContext(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3), reader.GetInt32(4)));
        return claimed;
    }

    /// <summary>
    /// Marks the job succeeded and records its effect, in one transaction, only if this worker still holds it:
    /// a worker whose lease was taken over records nothing, so the effect is recorded once.
    /// </summary>
    public async Task<bool> CompleteAsync(JobContext job, string workerId, string summary, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorefrontDbContext>();
        var now = clock.GetUtcNow();
        if (provider.Kind == DatabaseKind.Postgres)
        {
            // One statement, so one round trip and its own transaction: the worker's cost per job is what bounds the
            // mail a busy shop can send (one confirmation per order).
            var recorded = await db.Database.SqlQuery<int>($"""
                WITH done AS (
                    UPDATE jobs SET status = 'succeeded', finished_at = {now}, run_after_ms = {now.ToUnixTimeMilliseconds()},
                                    lease_until_ms = NULL, last_error = NULL
                    WHERE id = {job.Id} AND locked_by = {workerId} AND status = 'running'
                    RETURNING id)
                INSERT INTO job_effects (job_id, kind, summary, recorded_at)
                SELECT id, {job.Kind}, {Truncate(summary)}, {now} FROM done
                RETURNING 1 AS "Value"
                """).ToListAsync(cancellationToken);
            return recorded.Count == 1;
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var updated = await db.Jobs
            .Where(j => j.Id == job.Id && j.LockedBy == workerId && j.Status == JobStatus.Running)
            .ExecuteUpdateAsync(set => set
                .SetProperty(j => j.Status, JobStatus.Succeeded)
                .SetProperty(j => j.FinishedAt, now)
                .SetProperty(j => j.RunAfterMs, now.ToUnixTimeMilliseconds()) // For a finished job: when it ended.
                .SetProperty(j => j.LeaseUntilMs, (long?)null)
                .SetProperty(j => j.LastError, (string?)null), cancellationToken);
        if (updated == 0) return false;
        db.JobEffects.Add(new JobEffect { JobId = job.Id, Kind = job.Kind, Summary = Truncate(summary), RecordedAt = now });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Schedules the next attempt with exponential backoff and jitter, or marks the job dead.</summary>
    public async Task<string> FailAsync(JobContext job, string workerId, string error, bool permanent, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorefrontDbContext>();
        var now = clock.GetUtcNow();
        var dead = permanent || job.Attempt >= job.MaxAttempts;
        var status = dead ? JobStatus.Dead : JobStatus.Failed;
        var runAfter = now.ToUnixTimeMilliseconds() + (dead ? 0 : RetryDelayMs(job.Attempt));
        await db.Jobs
            .Where(j => j.Id == job.Id && j.LockedBy == workerId && j.Status == JobStatus.Running)
            .ExecuteUpdateAsync(set => set
                .SetProperty(j => j.Status, status)
                .SetProperty(j => j.LastError, Truncate(error))
                .SetProperty(j => j.RunAfterMs, runAfter)
                .SetProperty(j => j.LeaseUntilMs, (long?)null)
                .SetProperty(j => j.LockedBy, (string?)null)
                .SetProperty(j => j.FinishedAt, dead ? now : (DateTimeOffset?)null), cancellationToken);
        return status;
    }

    /// <summary>
    /// Extends the leases this worker still holds on the given jobs, so a job that runs longer than one lease
    /// is not taken over while its worker is alive. Returns how many leases were extended.
    /// </summary>
    public async Task<int> RenewLeasesAsync(string workerId, IReadOnlyCollection<string> jobIds, CancellationToken cancellationToken)
    {
        if (jobIds.Count == 0) return 0;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorefrontDbContext>();
        var leaseUntil = clock.GetUtcNow().ToUnixTimeMilliseconds() + options.Value.LeaseSeconds * 1000L;
        return await db.Jobs
            .Where(j => jobIds.Contains(j.Id) && j.LockedBy == workerId && j.Status == JobStatus.Running)
            .ExecuteUpdateAsync(set => set.SetProperty(j => j.LeaseUntilMs, leaseUntil), cancellationToken);
    }

    /// <summary>At shutdown: hands unfinished jobs back at once, without counting the interrupted attempt.</summary>
    public async Task<int> ReleaseAsync(string workerId, IReadOnlyCollection<string> jobIds, CancellationToken cancellationToken)
    {
        if (jobIds.Count == 0) return 0;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorefrontDbContext>();
        return await db.Jobs
            .Where(j => jobIds.Contains(j.Id) && j.LockedBy == workerId && j.Status == JobStatus.Running)
            .ExecuteUpdateAsync(set => set
                .SetProperty(j => j.Status, JobStatus.Queued)
                .SetProperty(j => j.Attempts, j => j.Attempts - 1)
                .SetProperty(j => j.LeaseUntilMs, (long?)null)
                .SetProperty(j => j.LockedBy, (string?)null), cancellationToken);
    }

    /// <summary>
    /// Deletes up to <paramref name="max"/> jobs that ended (succeeded or dead) before <paramref name="endedBefore"/>,
    /// with their recorded effects. A finished job's run_after_ms is when it ended (Unix ms, one SQL shape on both
    /// providers). Returns how many jobs were deleted.
    /// </summary>
    public async Task<int> PurgeFinishedAsync(DateTimeOffset endedBefore, int max, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorefrontDbContext>();
        var cutoff = endedBefore.ToUnixTimeMilliseconds();
        var ids = await db.Jobs
            .Where(j => (j.Status == JobStatus.Succeeded || j.Status == JobStatus.Dead) && j.RunAfterMs < cutoff)
            .OrderBy(j => j.RunAfterMs).Select(j => j.Id).Take(max)
            .ToListAsync(cancellationToken);
        if (ids.Count == 0) return 0;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.JobEffects.Where(e => ids.Contains(e.JobId)).ExecuteDeleteAsync(cancellationToken);
        var deleted = await db.Jobs.Where(j => ids.Contains(j.Id)).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return deleted;
    }

    /// <summary>Unfinished jobs by status, for the queue-depth gauge.</summary>
    public async Task<(long Queued, long Failed, long Running)> CountUnfinishedAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorefrontDbContext>();
        var counts = await db.Jobs
            .Where(j => j.Status == JobStatus.Queued || j.Status == JobStatus.Failed || j.Status == JobStatus.Running)
            .GroupBy(j => j.Status).Select(g => new { Status = g.Key, Count = g.LongCount() })
            .ToListAsync(cancellationToken);
        long Of(string status) => counts.FirstOrDefault(c => c.Status == status)?.Count ?? 0;
        return (Of(JobStatus.Queued), Of(JobStatus.Failed), Of(JobStatus.Running));
    }

    /// <summary>base × 2^(attempt−1), capped, ±20% jitter so retries from a burst do not arrive together.</summary>
    internal long RetryDelayMs(int attempt)
    {
        var o = options.Value;
        var exponential = o.RetryBaseMs * Math.Pow(2, Math.Clamp(attempt - 1, 0, 30));
        var capped = Math.Min(exponential, o.RetryMaxMs);
        return (long)(capped * (0.8 + Random.Shared.NextDouble() * 0.4));
    }

    private static string Truncate(string value) => value.Length <= 2000 ? value : value[..2000];

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
