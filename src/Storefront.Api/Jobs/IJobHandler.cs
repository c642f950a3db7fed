namespace Storefront.Api.Jobs;

/// <summary>One attempt at a job, as the worker hands it to its handler.</summary>
public sealed record JobContext(string Id, string Kind, string Payload, int Attempt, int MaxAttempts);

/// <summary>
/// Runs one kind of job. Delivery is at least once: a handler may run again after a crash or a lost
/// lease, so it should be idempotent where it can. It returns a one-line summary of its effect, which
/// is recorded exactly once, in the transaction that marks the job succeeded. Throwing fails the attempt (retried
/// with backoff up to Jobs__MaxAttempts); throwing <see cref="PermanentJobFailureException"/> ends the job dead at once.
/// What the job's owner reads in last_error is the message of a <see cref="JobFailureException"/>; any other
/// exception is stored as a fixed sentence (its message may hold anything: addresses, a server's words).
/// </summary>
public interface IJobHandler
{
    string Kind { get; }

    /// <summary>Which jobs the worker claims first when several are due: mail a user waits for before bulk work.</summary>
    JobPriority Priority => JobPriority.Normal;

    Task<string> RunAsync(JobContext job, CancellationToken cancellationToken);
}

/// <summary>The order due jobs are claimed in; stored with each job (jobs.priority).</summary>
public enum JobPriority
{
    /// <summary>Mail a person is waiting for (welcome, order confirmation, password recovery): never behind the others.</summary>
    User = 0,

    Normal = 1,

    /// <summary>Anonymous and bulk work (/log): claimed only when nothing else is due.</summary>
    Bulk = 2,
}

/// <summary>
/// A failed attempt the handler has put in words for the job's owner: its message becomes last_error, so it must
/// name no person and quote no other system (the inner exception, with the details, stays in the server).
/// </summary>
public class JobFailureException(string reason, Exception? innerException = null) : Exception(reason, innerException);

/// <summary>A failure no later attempt can fix (an address the mail server refuses for good): the job ends dead, unretried.</summary>
public sealed class PermanentJobFailureException(string reason, Exception? innerException = null) : JobFailureException(reason, innerException);
