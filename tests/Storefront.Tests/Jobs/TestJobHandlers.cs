using System.Collections.Concurrent;
using Storefront.Api.Jobs;

namespace Storefront.Tests.Jobs;

/// <summary>Fails its first two attempts, then succeeds.</summary>
internal sealed class FlakyHandler : IJobHandler
{
    public const string JobKind = "test.flaky";

    public string Kind => JobKind;

    public Task<string> RunAsync(JobContext job, CancellationToken cancellationToken) => job.Attempt < 3
        ? throw new InvalidOperationException($"flaky failure on attempt {job.Attempt}")
        : Task.FromResult($"succeeded on attempt {job.Attempt}");
}

internal sealed class AlwaysFailsHandler : IJobHandler
{
    public const string JobKind = "test.always-fails";

    public string Kind => JobKind;

    public Task<string> RunAsync(JobContext job, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("this job never works");
}

/// <summary>Fails for good, saying why in words meant for the job's owner.</summary>
internal sealed class ExplainedFailureHandler : IJobHandler
{
    public const string JobKind = "test.explained-failure";
    public const string Reason = "The widget service refused the order for good.";

    public string Kind => JobKind;

    public Task<string> RunAsync(JobContext job, CancellationToken cancellationToken) =>
        throw new PermanentJobFailureException(Reason, new InvalidOperationException("internal details"));
}

/// <summary>Records every run, and any moment two workers held one job at once.</summary>
internal sealed class ExclusiveHandler : IJobHandler
{
    public const string JobKind = "test.exclusive";

    public static readonly ConcurrentDictionary<string, int> Runs = new();
    public static readonly ConcurrentDictionary<string, byte> InFlight = new();
    private static int _overlaps;

    public static int Overlaps => Volatile.Read(ref _overlaps);

    public string Kind => JobKind;

    public async Task<string> RunAsync(JobContext job, CancellationToken cancellationToken)
    {
        if (!InFlight.TryAdd(job.Id, 0)) Interlocked.Increment(ref _overlaps);
        Runs.AddOrUpdate(job.Id, 1, (_, n) => n + 1);
        try
        {
            await Task.Delay(20, cancellationToken); // Simulated work: a run long enough that an overlap would be seen.
            return "ran";
        }
        finally
        {
            InFlight.TryRemove(job.Id, out _);
        }
    }
}

/// <summary>Runs for 2.5 s, well past a 1 s lease, counting its runs.</summary>
internal sealed class SlowHandler : IJobHandler
{
    public const string JobKind = "test.slow";

    public static readonly ConcurrentDictionary<string, int> Runs = new();

    public string Kind => JobKind;

    public async Task<string> RunAsync(JobContext job, CancellationToken cancellationToken)
    {
        Runs.AddOrUpdate(job.Id, 1, (_, n) => n + 1);
        await Task.Delay(TimeSpan.FromSeconds(2.5), cancellationToken); // Simulated work outlasting the lease: the test's subject.
        return "slow but done";
    }
}

/// <summary>Never finishes on its own: only cancellation ends it.</summary>
internal sealed class HangingHandler : IJobHandler
{
    public const string JobKind = "test.hangs";

    public string Kind => JobKind;

    public async Task<string> RunAsync(JobContext job, CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken); // A simulated hang: only the attempt timeout ends it.
        return "unreachable";
    }
}
