using System.ComponentModel.DataAnnotations;

namespace Storefront.Api.Orders;

/// <summary>Order settings (<c>Orders__*</c>).</summary>
public sealed class OrdersOptions
{
    public const string Section = "Orders";

    /// <summary>How long an Idempotency-Key answers with its first result; after that the key may be used afresh.</summary>
    [Range(1, 24 * 30)]
    public int IdempotencyKeyHours { get; set; } = 24;
}
