namespace Storefront.Api.RateLimits;

/// <summary>Every feature's per-client rate limits, in one section: they share the window length and the Redis timeout.</summary>
public sealed class RateLimitsOptions
{
    public const string Section = "RateLimits";

    /// <summary>POST /token attempts per client address per window.</summary>
    [Range(1, 1_000_000)]
    public int LoginPermits { get; set; } = 10;

    /// <summary>
    /// Failed POST /token attempts per username per UsernameWindowSeconds, from all addresses together; past it the
    /// name's sign-ins are refused (429) until the window ends, whether the name exists or not.
    /// </summary>
    [Range(1, 1_000_000)]
    public int UsernameFailures { get; set; } = 5;

    [Range(1, 3600)]
    public int UsernameWindowSeconds { get; set; } = 60;

    /// <summary>Failed POST /token attempts per username per hour: the longest a name is refused is one hour (bounded back-off).</summary>
    [Range(1, 1_000_000)]
    public int UsernameHourlyFailures { get; set; } = 20;

    /// <summary>POST /register attempts per client address per window.</summary>
    [Range(1, 1_000_000)]
    public int RegisterPermits { get; set; } = 5;

    /// <summary>POST /password-recovery and POST /reset-password attempts per client address per window.</summary>
    [Range(1, 1_000_000)]
    public int RecoveryPermits { get; set; } = 5;

    /// <summary>POST /log requests per client address per window.</summary>
    [Range(1, 1_000_000)]
    public int LogPermits { get; set; } = 60;

    /// <summary>GET /items?q= searches per client address per window.</summary>
    [Range(1, 1_000_000)]
    public int SearchPermits { get; set; } = 120;

    /// <summary>POST /send-email requests per user per window.</summary>
    [Range(1, 1_000_000)]
    public int SendEmailPermits { get; set; } = 10;

    /// <summary>POST /send-email requests to one recipient per window, whoever asks.</summary>
    [Range(1, 1_000_000)]
    public int RecipientPermits { get; set; } = 3;

    [Range(1, 3600)]
    public int WindowSeconds { get; set; } = 60;

    /// <summary>With Redis: longest a request waits on it for the shared count before counting in this instance instead.</summary>
    [Range(10, 10_000)]
    public int RedisTimeoutMs { get; set; } = 250;

    /// <summary>The older name of PasswordHashing__Threads, which wins when both are set.</summary>
    [Range(1, 256)]
    public int? HashConcurrency { get; set; }
}
