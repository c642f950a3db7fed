namespace Storefront.Api.Accounts;

/// <summary>The password-hashing runner: its dedicated threads, its queue, and how long a login waits for its hash.</summary>
public sealed class PasswordHashingOptions
{
    public const string Section = "PasswordHashing";

    /// <summary>Dedicated hashing threads; 0 means RateLimits__HashConcurrency if set (the older name), else one per core.</summary>
    [Range(0, 256)]
    public int Threads { get; set; }

    /// <summary>Hashes allowed to wait for a thread; beyond that, 503 with Retry-After.</summary>
    [Range(1, 100_000)]
    public int QueueCapacity { get; set; } = 64;

    /// <summary>Longest a request waits for its hash (queue and work together); then 503.</summary>
    [Range(1, 600_000)]
    public int DeadlineMs { get; set; } = 5000;
}
