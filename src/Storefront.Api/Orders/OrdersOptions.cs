namespace Storefront.Api.Orders;

/// <summary>Order settings (<c>Orders__*</c>).</summary>
public sealed class OrdersOptions
{
    public const string Section = "Orders";

    /// <summary>How long an Idempotency-Key answers with its first result; after that the key may be used afresh.</summary>
    [Range(1, 24 * 30)]
    public int IdempotencyKeyHours { get; set; } = 24;

    /// <summary>
    /// Most units of one item one user may hold across their confirmed orders (a cancel frees them): one buyer cannot
    /// empty a shelf. 409 naming the limit past it; 0 turns it off.
    /// </summary>
    [Range(0, 1_000_000)]
    public int MaxUnitsPerItemPerUser { get; set; } = 100;

    /// <summary>Most POST /orders per user per minute, counted on every instance together with Redis: 429 past it; 0 turns it off.</summary>
    [Range(0, 1_000_000)]
    public int MaxOrdersPerMinute { get; set; } = 20;
}
