namespace Storefront.Api.Live;

/// <summary>What /ws/stock pushes when a subscribed item changes. <c>in_stock</c> is null until the inventory system
/// has reported the item; <c>price</c> is null for an item the catalog does not have (or no longer has).</summary>
public sealed record StockUpdate(
    int Id,
    decimal? Price,
    int? InStock,
    DateTime At,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Deleted = null);

/// <summary>A /ws/stock client's message: <c>{"subscribe": [ids]}</c> and/or <c>{"unsubscribe": [ids]}</c>.</summary>
public sealed record StockCommand(List<int>? Subscribe, List<int>? Unsubscribe);

/// <summary>The answer to a <see cref="StockCommand"/>: the ids it named, deduplicated.</summary>
public sealed record StockAck(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int[]? Subscribed,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int[]? Unsubscribed);

/// <summary>The answer to a /ws/stock message that could not be used; the socket stays open.</summary>
public sealed record StockError(string Error);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never, NumberHandling = JsonNumberHandling.Strict,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(StockUpdate))]
[JsonSerializable(typeof(StockCommand))]
[JsonSerializable(typeof(StockAck))]
[JsonSerializable(typeof(StockError))]
internal sealed partial class LiveJsonContext : JsonSerializerContext;
