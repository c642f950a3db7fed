using System.ComponentModel.DataAnnotations;

namespace Storefront.Api.Users;

public sealed class JwtOptions
{
    public const string Section = "Jwt";

    /// <summary>
    /// HMAC-SHA256 key, base64, at least 32 bytes. Required outside Development; in Development a key is
    /// generated once and kept under Storage__Path so tokens survive restarts.
    /// </summary>
    public string? SigningKey { get; set; }

    /// <summary>
    /// Keys that signed tokens before the current one (base64, same rules). Tokens they signed are still accepted,
    /// so a key can be rotated without logging everyone out: add the old key here, set the new SigningKey, and
    /// remove the old one after LifetimeMinutes.
    /// </summary>
    public IList<string> PreviousSigningKeys { get; } = [];

    [Required]
    public string Issuer { get; set; } = "storefront";

    [Required]
    public string Audience { get; set; } = "storefront";

    [Range(1, 7 * 24 * 60)]
    public int LifetimeMinutes { get; set; } = 60;
}

public sealed class AccountLimitsOptions
{
    public const string Section = "RateLimits";

    /// <summary>POST /token attempts per client address per window.</summary>
    [Range(1, 1_000_000)]
    public int LoginPermits { get; set; } = 10;

    /// <summary>POST /register attempts per client address per window.</summary>
    [Range(1, 1_000_000)]
    public int RegisterPermits { get; set; } = 5;

    [Range(1, 3600)]
    public int WindowSeconds { get; set; } = 60;

    /// <summary>Password hashes computed at once; each is ~100k PBKDF2 rounds of CPU.</summary>
    [Range(1, 256)]
    public int HashConcurrency { get; set; } = Environment.ProcessorCount;
}
