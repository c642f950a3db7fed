namespace Storefront.Api.Compute;

/// <summary>The runner's queue is full: the caller should answer 503 with Retry-After.</summary>
public sealed class CpuSaturatedException(string runner) : Exception($"The {runner} workers are saturated.")
{
    public string Runner { get; } = runner;
}
