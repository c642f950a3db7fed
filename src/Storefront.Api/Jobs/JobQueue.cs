using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Storefront.Api.Data;

namespace Storefront.Api.Jobs;

/// <summary>
/// How other features hand work to the job worker. A job is a row in the caller's unit of work, so it is stored by
/// the same SaveChanges (one transaction) as the change that causes it, or not at all; once that SaveChanges has
/// stored it, this instance's worker is woken instead of waiting for its next poll.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "It is a queue: the jobs table, read in order of due time.")]
public interface IJobQueue
{
    /// <summary>
    /// Stages a job in <paramref name="db"/>; the caller's next SaveChanges stores it and wakes the worker.
    /// <paramref name="ownerId"/>, the user it is done for, is the only one GET /jobs/{id} shows its details to;
    /// a job without an owner shows its status alone.
    /// </summary>
    Job Add<T>(StorefrontDbContext db, string kind, T payload, JsonTypeInfo<T> payloadType, int? ownerId);

    /// <summary>
    /// Stores a job on its own; returns once it is committed, or null without storing anything when its kind already
    /// has Jobs__MaxQueuedPerKind unfinished jobs (the caller answers 503 with <see cref="FullRetryAfterSeconds"/>).
    /// </summary>
    Task<Job?> EnqueueAsync<T>(StorefrontDbContext db, string kind, T payload, JsonTypeInfo<T> payloadType, int? ownerId,
        CancellationToken cancellationToken);

    /// <summary>
    /// PostgreSQL: the job as one statement for the caller's own batch, which stores it in the caller's transaction;
    /// once that has committed, the caller calls <see cref="Stored"/> to wake the worker.
    /// </summary>
    NpgsqlBatchCommand AddCommand<T>(string kind, T payload, JsonTypeInfo<T> payloadType, int? ownerId);

    /// <summary>Wakes this instance's worker: a job the caller stored with <see cref="AddCommand"/> has committed.</summary>
    void Stored();

    /// <summary>What a caller refused by a full queue tells its client to wait.</summary>
    const int FullRetryAfterSeconds = 30;
}

internal sealed class JobQueue(IOptions<JobsOptions> options, TimeProvider clock, JobSignal signal, IEnumerable<IJobHandler> handlers) : IJobQueue
{
    private static readonly TimeSpan Recount = TimeSpan.FromSeconds(1);

    private readonly Dictionary<string, JobPriority> _priorities = handlers.ToDictionary(h => h.Kind, h => h.Priority, StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Backlog> _backlogs = new(StringComparer.Ordinal);

    public Job Add<T>(StorefrontDbContext db, string kind, T payload, JsonTypeInfo<T> payloadType, int? ownerId)
    {
        var job = NewJob(kind, payload, payloadType, ownerId);
        db.Jobs.Add(job);
        db.SavedChanges += WakeWorker;
        return job;
    }

    public NpgsqlBatchCommand AddCommand<T>(string kind, T payload, JsonTypeInfo<T> payloadType, int? ownerId)
    {
        var job = NewJob(kind, payload, payloadType, ownerId);
        var command = new NpgsqlBatchCommand("""
            INSERT INTO jobs (id, kind, payload, status, attempts, max_attempts, run_after_ms, owner_id, priority, created_at)
            VALUES ($1, $2, $3, $4, 0, $5, $6, $7, $8, $9)
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = job.Id });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = job.Kind });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = job.Payload, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = job.Status });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = job.MaxAttempts });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = job.RunAfterMs });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)job.OwnerId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = job.Priority });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = job.CreatedAt });
        return command;
    }

    public void Stored() => signal.Notify();

    private Job NewJob<T>(string kind, T payload, JsonTypeInfo<T> payloadType, int? ownerId)
    {
        var now = clock.GetUtcNow();
        return new Job
        {
            Id = Guid.NewGuid().ToString("N"),
            Kind = kind,
            Payload = JsonSerializer.Serialize(payload, payloadType),
            Status = JobStatus.Queued,
            MaxAttempts = options.Value.MaxAttempts,
            RunAfterMs = now.ToUnixTimeMilliseconds(),
            OwnerId = ownerId,
            Priority = (int)_priorities.GetValueOrDefault(kind, JobPriority.Normal),
            CreatedAt = now,
        };
    }

    public async Task<Job?> EnqueueAsync<T>(StorefrontDbContext db, string kind, T payload, JsonTypeInfo<T> payloadType, int? ownerId,
        CancellationToken cancellationToken)
    {
        var backlog = _backlogs.GetOrAdd(kind, _ => new Backlog());
        if (await backlog.CountAsync(db, kind, options.Value.MaxQueuedPerKind, clock, cancellationToken) >= options.Value.MaxQueuedPerKind)
            return null;
        var job = Add(db, kind, payload, payloadType, ownerId);
        await db.SaveChangesAsync(cancellationToken);
        backlog.Added();
        return job;
    }

    // SaveChanges without an explicit transaction has committed when this runs. Contexts are pooled: unsubscribe.
    private void WakeWorker(object? sender, SavedChangesEventArgs e)
    {
        ((StorefrontDbContext)sender!).SavedChanges -= WakeWorker;
        signal.Notify();
    }

    /// <summary>
    /// One kind's unfinished jobs, counted in the database at most once a second (bounded by the cap, on a partial
    /// index) plus what this instance stored since: a flood of /log costs one count a second, not one per request.
    /// </summary>
    private sealed class Backlog
    {
        private int _counting;
        private long _counted;
        private long _addedSince;
        private long _countedAt = long.MinValue;

        public void Added() => Interlocked.Increment(ref _addedSince);

        public async ValueTask<long> CountAsync(StorefrontDbContext db, string kind, int cap, TimeProvider clock, CancellationToken cancellationToken)
        {
            var countedAt = Interlocked.Read(ref _countedAt);
            if (countedAt == long.MinValue || clock.GetElapsedTime(countedAt) >= Recount)
            {
                // One request recounts; the others go on with the last count rather than queue behind it.
                if (Interlocked.CompareExchange(ref _counting, 1, 0) == 0)
                {
                    try
                    {
                        var started = clock.GetTimestamp();
                        var counted = await db.Jobs
                            .Where(j => j.Kind == kind && (j.Status == JobStatus.Queued || j.Status == JobStatus.Failed || j.Status == JobStatus.Running))
                            .Take(cap).CountAsync(cancellationToken);
                        Interlocked.Exchange(ref _counted, counted);
                        Interlocked.Exchange(ref _addedSince, 0);
                        Interlocked.Exchange(ref _countedAt, started);
                    }
                    finally
                    {
                        Volatile.Write(ref _counting, 0);
                    }
                }
            }
            return Interlocked.Read(ref _counted) + Interlocked.Read(ref _addedSince);
        }
    }
}

/// <summary>Wakes this instance's worker when a job is stored here, instead of waiting for the next poll.</summary>
public sealed class JobSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        if (_signal.CurrentCount == 0)
        {
            try { _signal.Release(); } catch (SemaphoreFullException) { } // Already signalled: one wake-up is enough.
        }
    }

    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _signal.Dispose();
}
