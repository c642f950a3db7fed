using System.ComponentModel.DataAnnotations;

namespace Storefront.Api.Inference;

/// <summary>One CPU worker pool: its threads, queue, batching and per-request deadline.</summary>
public sealed class CpuPoolOptions
{
    /// <summary>Dedicated threads; 0 means one per core.</summary>
    [Range(0, 256)]
    public int Threads { get; set; }

    /// <summary>Requests allowed to wait; beyond that, 503 with Retry-After.</summary>
    [Range(1, 1_000_000)]
    public int QueueCapacity { get; set; } = 256;

    [Range(1, 1024)]
    public int MaxBatch { get; set; } = 32;

    /// <summary>Longest a request waits for its result (queue and work together).</summary>
    [Range(1, 600_000)]
    public int DeadlineMs { get; set; } = 2000;

    public int EffectiveThreads => Threads > 0 ? Threads : Environment.ProcessorCount;
}

public sealed class InferenceOptions
{
    public const string Section = "Inference";

    /// <summary>The model file; relative paths are resolved against the service's own folder.</summary>
    [Required]
    public string ModelPath { get; set; } = "Inference/sentiment.model";

    public CpuPoolOptions Predict { get; set; } = new();

    public CpuPoolOptions Qr { get; set; } = new() { MaxBatch = 1, QueueCapacity = 64 };
}
