using System.ComponentModel.DataAnnotations;

namespace Storefront.Api.Live;

/// <summary>The inventory system's webhook, POST /inventory/events (<c>Inventory__*</c>).</summary>
public sealed class InventoryOptions : IValidatableObject
{
    public const string Section = "Inventory";

    /// <summary>The shared secret both sides sign with (HMAC-SHA256 over the body). Unset: the webhook answers 503.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>Most events in one delivery.</summary>
    [Range(1, 10_000)]
    public int MaxEventsPerRequest { get; set; } = 1_000;

    /// <summary>How long applied event ids are remembered (a redelivery after that is applied again).</summary>
    [Range(1, 24 * 365)]
    public int EventRetentionHours { get; set; } = 7 * 24;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (WebhookSecret is { } secret && System.Text.Encoding.UTF8.GetByteCount(secret) < 16)
            yield return new ValidationResult(
                "Inventory__WebhookSecret is too short: use at least 16 random bytes, e.g. `openssl rand -hex 32`.",
                [nameof(WebhookSecret)]);
    }
}
