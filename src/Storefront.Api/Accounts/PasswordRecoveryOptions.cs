namespace Storefront.Api.Accounts;

/// <summary>The mailed recovery tokens of POST /password-recovery.</summary>
public sealed class PasswordRecoveryOptions
{
    public const string Section = "PasswordRecovery";

    /// <summary>How long a mailed token works (once).</summary>
    [Range(1, 24 * 60)]
    public int TokenMinutes { get; set; } = 15;

    /// <summary>
    /// Recovery mails one account is sent per hour; further requests are answered alike (202) and mail nothing, so
    /// nobody can fill a stranger's mailbox through this endpoint.
    /// </summary>
    [Range(1, 100)]
    public int MailsPerHour { get; set; } = 3;
}
