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

    /// <summary>The ML.NET model (.zip); relative paths are resolved against the service's own folder.</summary>
    [Required]
    public string ModelPath { get; set; } = "Inference/sentiment.zip";

    public CpuPoolOptions Predict { get; set; } = new();

    public CpuPoolOptions Qr { get; set; } = new() { MaxBatch = 1, QueueCapacity = 64 };
}

/// <summary>The pools' own rules (data annotations do not reach nested objects), each problem naming its setting.</summary>
internal sealed class InferenceOptionsValidator : IValidateOptions<InferenceOptions>
{
    public ValidateOptionsResult Validate(string? name, InferenceOptions options)
    {
        var problems = Problems(options.Predict, "Inference__Predict").Concat(Problems(options.Qr, "Inference__Qr")).ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static IEnumerable<string> Problems(CpuPoolOptions pool, string setting)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(pool, new ValidationContext(pool), results, validateAllProperties: true);
        return results.Select(r => $"{setting}__{string.Join(",", r.MemberNames)}: {r.ErrorMessage}");
    }
}
