using MailKit.Security;
using MimeKit;

namespace Storefront.Api.Email;

/// <summary>How the connection to the SMTP server is secured (Smtp__Security).</summary>
public enum SmtpSecurity
{
    /// <summary>Plain text, never TLS: only for a relay on the same host or network.</summary>
    None,

    /// <summary>STARTTLS is required: the send fails if the server does not offer it or its certificate is not valid.</summary>
    StartTls,

    /// <summary>STARTTLS if the server offers it, plain text otherwise (a downgrade is not detected).</summary>
    StartTlsWhenAvailable,

    /// <summary>Implicit TLS from the first byte, as on port 465.</summary>
    SslOnConnect,
}

public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    /// <summary>SMTP server. Unset: messages are written as .eml files to the pickup folder instead.</summary>
    public string? Host { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 25;

    /// <summary>Set: the sender authenticates (whichever SASL mechanism the server offers) before sending.</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>Unset: <see cref="SmtpSecurity.StartTls"/> if <see cref="EnableSsl"/>, else <see cref="SmtpSecurity.None"/>.</summary>
    [EnumDataType(typeof(SmtpSecurity), ErrorMessage = "Smtp__Security must be None, StartTls, StartTlsWhenAvailable or SslOnConnect.")]
    public SmtpSecurity? Security { get; set; }

    /// <summary>The older setting, kept as an alias: true means Security=StartTls, which is what it meant before MailKit.</summary>
    public bool EnableSsl { get; set; }

    [Required]
    public string From { get; set; } = "Storefront <no-reply@storefront.local>";

    /// <summary>Per message, connection to QUIT; keep it well under Jobs__TimeoutSeconds.</summary>
    [Range(1000, 600_000)]
    public int TimeoutMs { get; set; } = 30_000;

    /// <summary>Where messages go without an SMTP host. Default: "mail" under Storage__Path.</summary>
    public string? PickupFolder { get; set; }

    internal SecureSocketOptions SocketOptions => (Security ?? (EnableSsl ? SmtpSecurity.StartTls : SmtpSecurity.None)) switch
    {
        SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
        SmtpSecurity.StartTlsWhenAvailable => SecureSocketOptions.StartTlsWhenAvailable,
        SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.None,
    };

    private bool HasValidFrom() =>
        MailboxAddress.TryParse(EmailAddresses.Strict, From, out var from) && from.Domain.Length > 0;

    internal IEnumerable<string> Problems()
    {
        if (!HasValidFrom()) yield return "Smtp__From must be an email address";
        // EnableSsl=true with Security=None asks for TLS and no TLS at once.
        if (EnableSsl && Security == SmtpSecurity.None)
            yield return "Smtp__EnableSsl=true asks for TLS but Smtp__Security=None: set only Smtp__Security";
    }
}

internal sealed class SmtpOptionsValidator : IValidateOptions<SmtpOptions>
{
    public ValidateOptionsResult Validate(string? name, SmtpOptions options)
    {
        var problems = options.Problems().ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
