using Storefront.Api.Http;

namespace Storefront.Api.Orders;

/// <summary>Body of POST /orders. Nullable members so a missing field is reported by name.</summary>
public sealed record OrderRequest(List<OrderLineRequest?>? Lines) : IValidatable
{
    public const int MaxLines = 50;
    public const int MaxQuantity = 1_000;

    public Dictionary<string, string[]>? Validate()
    {
        var errors = new ValidationErrors();
        if (Lines is not { Count: >= 1 and <= MaxLines })
            return errors.Add("lines", $"Required: a list of 1 to {MaxLines} lines {{\"item_id\", \"quantity\"}}.").ToDictionary();
        for (var i = 0; i < Lines.Count; i++)
        {
            if (Lines[i] is not { } line)
            {
                errors.Add($"lines[{i}]", "Must be an object {\"item_id\", \"quantity\"}.");
                continue;
            }
            errors.Check(line.ItemId is >= 1, $"lines[{i}].item_id", "Must be a whole number of 1 or more.")
                .Check(line.Quantity is >= 1 and <= MaxQuantity, $"lines[{i}].quantity", $"Must be a whole number from 1 to {MaxQuantity}.");
        }
        // One line per item: two lines of one item would be reserved as two updates of one row, for no reason a client has.
        var repeated = Lines.Where(l => l?.ItemId is not null).GroupBy(l => l!.ItemId).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (repeated.Count > 0) errors.Add("lines", $"Each item at most once (repeated: {string.Join(", ", repeated)}).");
        return errors.ToDictionary();
    }
}

public sealed record OrderLineRequest(int? ItemId, int? Quantity);

/// <summary>An order as clients see it; <c>price</c> is the unit price when the order was placed.</summary>
public sealed record OrderResponse(long Id, string Status, decimal Total, DateTimeOffset CreatedAt, DateTimeOffset? CancelledAt,
    IReadOnlyList<OrderLineResponse> Lines);

public sealed record OrderLineResponse(int ItemId, int Quantity, decimal Price);

/// <summary>GET /orders: a page of the caller's orders, newest first; <c>next</c> is null on the last page.</summary>
public sealed record OrderListResponse(IReadOnlyList<OrderResponse> Orders, string? Next);

/// <summary>A line the stock could not serve, named in the 409.</summary>
public sealed record UnavailableLine(int ItemId, int Quantity, int Available);

/// <summary>A line of an order whose total cannot be stored, named in the 400 with its own total.</summary>
public sealed record LineTotal(int ItemId, int Quantity, decimal Total);

/// <summary>A line that would take the user past Orders__MaxUnitsPerItemPerUser: <c>held</c> is the units of the item in their confirmed orders.</summary>
public sealed record HeldLine(int ItemId, int Quantity, int Held);

internal static class OrderMapping
{
    public static OrderResponse ToResponse(this Order order) => new(order.Id, order.Status, order.Total, order.CreatedAt, order.CancelledAt,
        [.. order.Lines.OrderBy(l => l.ItemId).Select(l => new OrderLineResponse(l.ItemId, l.Quantity, l.UnitPrice))]);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(OrderRequest))]
[JsonSerializable(typeof(OrderResponse))]
[JsonSerializable(typeof(OrderListResponse))]
[JsonSerializable(typeof(List<UnavailableLine>))]
[JsonSerializable(typeof(List<LineTotal>))]
[JsonSerializable(typeof(List<HeldLine>))]
internal sealed partial class OrdersJsonContext : JsonSerializerContext;
