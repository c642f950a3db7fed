namespace Storefront.Api.Compute;

/// <summary>What /metrics reads from a CPU runner, whatever it computes.</summary>
public interface ICpuWorkRunner
{
    string Name { get; }

    int ThreadCount { get; }

    /// <summary>Items waiting for a worker.</summary>
    int QueueLength { get; }

    /// <summary>Workers running a batch right now.</summary>
    long Busy { get; }

    long Completed { get; }
    long Rejected { get; }
    long Expired { get; }
}
