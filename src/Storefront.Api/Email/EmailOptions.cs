using System.ComponentModel.DataAnnotations;

namespace Storefront.Api.Email;

public sealed class EmailOptions
{
    public const string Section = "Smtp";

    /// <summary>SMTP server. Unset: messages are written as .eml files to the pickup folder instead.</summary>
    public string? Host { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 25;

    public string? Username { get; set; }
    public string? Password { get; set; }
    public bool EnableSsl { get; set; }

    [Required]
    public string From { get; set; } = "Storefront <no-reply@storefront.local>";

    /// <summary>Per message; keep it well under Jobs__LeaseSeconds.</summary>
    [Range(1000, 600_000)]
    public int TimeoutMs { get; set; } = 30_000;

    /// <summary>Where messages go without an SMTP host. Default: "mail" under Storage__Path.</summary>
    public string? PickupFolder { get; set; }
}
