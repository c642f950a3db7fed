namespace Storefront.Api.Inventory;

/// <summary>The inventory system's webhook, POST /inventory/events (<c>Inventory__*</c>).</summary>
public sealed class InventoryOptions : IValidatableObject
{
    public const string Section = "Inventory";

    /// <summary>The shared secret both sides sign with (HMAC-SHA256 over "&lt;t&gt;.&lt;body&gt;"). Unset: the webhook answers 503.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>
    /// How far a delivery's signed time may be from this server's clock, either way, before it is refused: a captured
    /// delivery cannot be replayed later than this (event ids are remembered far longer, so not within it either).
    /// </summary>
    [Range(10, 3_600)]
    public int SignatureToleranceSeconds { get; set; } = 300;

    /// <summary>Units each sample item gets on hand when the sample catalog is first added (0: none).</summary>
    [Range(0, 1_000_000)]
    public int SampleUnits { get; set; } = 100;

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
