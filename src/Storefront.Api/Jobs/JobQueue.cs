using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
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

    /// <summary>Stores a job on its own; returns once it is committed.</summary>
    Task<Job> EnqueueAsync<T>(StorefrontDbContext db, string kind, T payload, JsonTypeInfo<T> payloadType, int? ownerId,
        CancellationToken cancellationToken);
}

internal sealed class JobQueue(IOptions<JobsOptions> options, TimeProvider clock, JobSignal signal) : IJobQueue
{
    public Job Add<T>(StorefrontDbContext db, string kind, T payload, JsonTypeInfo<T> payloadType, int? ownerId)
    {
        var now = clock.GetUtcNow();
        var job = new Job
        {
            Id = Guid.NewGuid().ToString("N"),
            Kind = kind,
            Payload = JsonSerializer.Serialize(payload, payloadType),
            Status = JobStatus.Queued,
            MaxAttempts = options.Value.MaxAttempts,
            RunAfterMs = now.ToUnixTimeMilliseconds(),
            OwnerId = ownerId,
            CreatedAt = now,
        };
        db.Jobs.Add(job);
        db.SavedChanges += WakeWorker;
        return job;
    }

    public async Task<Job> EnqueueAsync<T>(StorefrontDbContext db, string kind, T payload, JsonTypeInfo<T> payloadType, int? ownerId,
        CancellationToken cancellationToken)
    {
        var job = Add(db, kind, payload, payloadType, ownerId);
        await db.SaveChangesAsync(cancellationToken);
        return job;
    }

    // SaveChanges without an explicit transaction has committed when this runs. Contexts are pooled: unsubscribe.
    private void WakeWorker(object? sender, SavedChangesEventArgs e)
    {
        ((StorefrontDbContext)sender!).SavedChanges -= WakeWorker;
        signal.Notify();
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
