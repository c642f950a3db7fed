namespace Storefront.Api.Accounts;

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

    /// <summary>
    /// How long a token's subject, once found to be a user, is trusted without asking the database again: the longest
    /// a deleted user's tokens keep working. 0 asks on every request.
    /// </summary>
    [Range(0, 3600)]
    public int UserCheckCacheSeconds { get; set; } = 5;
}

/// <summary>
/// A missing or weak key stops startup with a message naming the setting. Outside Development the key must be
/// configured; in Development one is generated (<see cref="Accounts.SigningKey"/>).
/// </summary>
internal sealed class JwtOptionsValidator(IHostEnvironment environment) : IValidateOptions<JwtOptions>
{
    public ValidateOptionsResult Validate(string? name, JwtOptions options)
    {
        var problems = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.SigningKey)) Check(options.SigningKey, "Jwt__SigningKey", problems);
        else if (!environment.IsDevelopment())
            problems.Add("Jwt__SigningKey is not set. Outside Development the service needs a signing key: a base64 value of at " +
                $"least {Accounts.SigningKey.MinimumBytes} random bytes, e.g. `openssl rand -base64 48`.");
        for (var i = 0; i < options.PreviousSigningKeys.Count; i++) Check(options.PreviousSigningKeys[i], $"Jwt__PreviousSigningKeys__{i}", problems);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static void Check(string value, string setting, List<string> problems)
    {
        if (Accounts.SigningKey.Problem(value, setting) is { } problem) problems.Add(problem);
    }
}
