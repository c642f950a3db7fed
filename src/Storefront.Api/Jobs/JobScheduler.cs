using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;
using Storefront.Api.Data;

namespace Storefront.Api.Jobs;

/// <summary>
/// Puts jobs in the caller's unit of work: <see cref="Add{T}"/> only stages the row, so the job is stored
/// by the same SaveChanges (one transaction) as the change that causes it, or not at all.
/// </summary>
public sealed class JobScheduler(IOptions<JobsOptions> options, TimeProvider clock, JobSignal signal)
{
    public Job Add<T>(StorefrontDbContext db, string kind, T payload, JsonTypeInfo<T> payloadType)
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
            CreatedAt = now,
        };
        db.Jobs.Add(job);
        return job;
    }

    /// <summary>Stages and stores a job on its own; returns once it is committed.</summary>
    public async Task<Job> EnqueueAsync<T>(StorefrontDbContext db, string kind, T payload, JsonTypeInfo<T> payloadType,
        CancellationToken cancellationToken)
    {
        var job = Add(db, kind, payload, payloadType);
        await db.SaveChangesAsync(cancellationToken);
        signal.Notify();
        return job;
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
