using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Storefront.Api.Jobs;

public static class JobStatus
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Succeeded = "succeeded";

    /// <summary>An attempt failed; the job waits for its next try (run_after).</summary>
    public const string Failed = "failed";

    /// <summary>Out of attempts: nobody will run it again.</summary>
    public const string Dead = "dead";
}

/// <summary>A stored job. Accepted means this row exists: the worker only ever reads it from the database.</summary>
public sealed class Job
{
    public required string Id { get; set; }
    public required string Kind { get; set; }
    public required string Payload { get; set; }
    public string Status { get; set; } = JobStatus.Queued;
    public int Attempts { get; set; }
    public int MaxAttempts { get; set; }
    public string? LastError { get; set; }
    public long RunAfterMs { get; set; }
    public long? LeaseUntilMs { get; set; }
    public string? LockedBy { get; set; }

    /// <summary>The user who queued the job, the only one shown its details; null when nobody owns it (/log).</summary>
    public int? OwnerId { get; set; }

    /// <summary>A <see cref="JobPriority"/>: lower is claimed first.</summary>
    public int Priority { get; set; } = (int)JobPriority.Normal;

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
}

/// <summary>What a succeeded job did, written in the same transaction that marks it succeeded.</summary>
public sealed class JobEffect
{
    public required string JobId { get; set; }
    public required string Kind { get; set; }
    public required string Summary { get; set; }
    public DateTimeOffset RecordedAt { get; set; }
}

internal sealed class JobConfiguration : IEntityTypeConfiguration<Job>
{
    public void Configure(EntityTypeBuilder<Job> job)
    {
        job.ToTable("jobs");
        job.HasKey(j => j.Id);
        job.Property(j => j.Id).HasMaxLength(32);
        job.Property(j => j.Kind).HasMaxLength(50);
        job.Property(j => j.Status).HasMaxLength(10);
        job.Property(j => j.LastError).HasMaxLength(2000);
        job.Property(j => j.LockedBy).HasMaxLength(100);
    }
}

internal sealed class JobEffectConfiguration : IEntityTypeConfiguration<JobEffect>
{
    public void Configure(EntityTypeBuilder<JobEffect> effect)
    {
        effect.ToTable("job_effects");
        effect.HasKey(e => e.JobId);
        effect.Property(e => e.JobId).HasMaxLength(32);
        effect.Property(e => e.Kind).HasMaxLength(50);
        effect.Property(e => e.Summary).HasMaxLength(2000);
    }
}
