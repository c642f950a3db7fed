using Storefront.Api.Http;

namespace Storefront.Api.Inventory;

/// <summary>One level from the inventory system: <c>in_stock</c> is the warehouse's on-hand count of item <c>id</c>.</summary>
public sealed record InventoryEventBody(int? Id, int? InStock, string? EventId);

/// <summary>202 from POST /inventory/events.</summary>
public sealed record InventoryAccepted(int Accepted, int Duplicates);

/// <summary>Body of PUT /items/{item_id}/stock (staff): the units on hand, counted, including those open orders hold.</summary>
public sealed record StockRequest(int? InStock) : IValidatable
{
    public Dictionary<string, string[]>? Validate() => new ValidationErrors()
        .Check(InStock is >= 0 and <= StockLedger.MaxUnits, "in_stock", $"Required: a whole number from 0 to {StockLedger.MaxUnits}.").ToDictionary();
}

/// <summary>The item's stock after a level was set: <c>in_stock</c> is what orders may take (on_hand − reserved, at least 0).</summary>
public sealed record StockResponse(int ItemId, int InStock, int OnHand, int Reserved);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never, NumberHandling = JsonNumberHandling.Strict,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(InventoryEventBody))]
[JsonSerializable(typeof(List<InventoryEventBody>))]
[JsonSerializable(typeof(InventoryAccepted))]
[JsonSerializable(typeof(StockRequest))]
[JsonSerializable(typeof(StockResponse))]
internal sealed partial class InventoryJsonContext : JsonSerializerContext;
