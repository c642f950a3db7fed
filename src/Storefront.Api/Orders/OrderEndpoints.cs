using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Storefront.Api.Http;

namespace Storefront.Api.Orders;

/// <summary>The Lock lesson made real (docs/seeds.md): orders that reserve stock atomically, on any number of instances.</summary>
public static class OrderEndpoints
{
    public static RouteGroupBuilder MapOrders(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/orders").WithTags("Orders").WithValidation().RequireAuthorization().WithRequestDeadline();
        group.MapPost("", PlaceOrder).WithName("PlaceOrder").RequireRateLimiting(OrderRateLimit.Policy)
            .WithSummary("Order items: every line's stock is reserved in one transaction, or none (optional Idempotency-Key)")
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapGet("", ListOrders).WithName("ListOrders").WithSummary("The caller's orders, newest first, keyset-paged");
        group.MapGet("/{order_id}", GetOrder).WithName("GetOrder").WithSummary("One of the caller's orders")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{order_id}/cancel", CancelOrder).WithName("CancelOrder")
            .WithSummary("Cancel one of the caller's orders and return its units (idempotent)")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<Results<Created<OrderResponse>, ContentHttpResult, ProblemHttpResult, ValidationProblem>> PlaceOrder(
        OrderRequest request, HttpContext context, ClaimsPrincipal user, OrderPlacement placement, CancellationToken cancellationToken)
    {
        string? key = null;
        if (context.Request.Headers.TryGetValue(IdempotencyKeys.Header, out var values))
        {
            key = values.Count == 1 ? values[0] : null;
            if (key is null || !IdempotencyKeys.IsValid(key))
                return Problems.Invalid(IdempotencyKeys.Header, $"One value of 1 to {IdempotencyKeys.MaxLength} visible ASCII characters (a UUID fits).");
        }

        var outcome = await placement.PlaceAsync(CurrentUser.Id(user)!.Value, request, key, cancellationToken);
        switch (outcome)
        {
            case PlaceOutcome.Placed placed:
                return TypedResults.Created($"/orders/{placed.Order.Id}", placed.Order);
            case PlaceOutcome.Unavailable unavailable:
                return Unavailable(unavailable.Lines);
            case PlaceOutcome.TooLarge tooLarge:
                return TypedResults.Problem(
                    $"The order's total, {tooLarge.Total:0.00}, is more than an order can hold ({OrderPlacement.MaxTotal:0.00}): split it. " +
                    "Its lines and their totals are in \"lines\".",
                    statusCode: StatusCodes.Status400BadRequest,
                    extensions: new Dictionary<string, object?> { ["lines"] = tooLarge.Lines });
            case PlaceOutcome.OverUnitLimit over:
                return TypedResults.Problem(
                    $"One account may hold at most {over.Limit} units of an item across its open orders (Orders__MaxUnitsPerItemPerUser); " +
                    $"{over.Lines.Count} of the order's lines would go past it. The lines and the units already held are in \"lines\".",
                    statusCode: StatusCodes.Status409Conflict,
                    extensions: new Dictionary<string, object?> { ["lines"] = over.Lines, ["limit"] = "Orders__MaxUnitsPerItemPerUser" });
            case PlaceOutcome.Replayed { StatusCode: StatusCodes.Status409Conflict } replayed:
                context.Response.Headers["Idempotent-Replayed"] = "true";
                return Unavailable(JsonSerializer.Deserialize(replayed.Response, OrdersJsonContext.Default.ListUnavailableLine)!);
            case PlaceOutcome.Replayed replayed:
                context.Response.Headers["Idempotent-Replayed"] = "true";
                using (var document = JsonDocument.Parse(replayed.Response))
                    context.Response.Headers.Location = $"/orders/{document.RootElement.GetProperty("id").GetInt64()}";
                return TypedResults.Text(replayed.Response, "application/json", Encoding.UTF8, replayed.StatusCode);
            case PlaceOutcome.KeyReused:
                return TypedResults.Problem(
                    $"This {IdempotencyKeys.Header} was used with a different request body: use a new key for a new order.",
                    statusCode: StatusCodes.Status422UnprocessableEntity);
            default:
                return TypedResults.Problem(
                    $"A request with this {IdempotencyKeys.Header} is still being processed: retry in a moment for its result.",
                    statusCode: StatusCodes.Status409Conflict);
        }
    }

    private static async Task<JsonOk<OrderListResponse>> ListOrders(
        [AsParameters] OrderListQuery query, ClaimsPrincipal user, OrderBook book, CancellationToken cancellationToken) =>
        JsonOk.Of(await book.ListAsync(CurrentUser.Id(user)!.Value, query.Limit,
            query.After is null ? null : OrderBook.ParseCursor(query.After), cancellationToken));

    private static async Task<Results<JsonOk<OrderResponse>, ProblemHttpResult, ValidationProblem>> GetOrder(
        [AsParameters] OrderRoute route, ClaimsPrincipal user, OrderBook book, CancellationToken cancellationToken) =>
        await book.FindAsync(CurrentUser.Id(user)!.Value, route.OrderId, cancellationToken) is { } order
            ? JsonOk.Of(order)
            : Missing(route.OrderId);

    private static async Task<Results<JsonOk<OrderResponse>, ProblemHttpResult, ValidationProblem>> CancelOrder(
        [AsParameters] OrderRoute route, ClaimsPrincipal user, OrderBook book, CancellationToken cancellationToken) =>
        await book.CancelAsync(CurrentUser.Id(user)!.Value, route.OrderId, cancellationToken) is { } order
            ? JsonOk.Of(order)
            : Missing(route.OrderId);

    private static ProblemHttpResult Unavailable(List<UnavailableLine> lines) => TypedResults.Problem(
        $"Not enough stock for {lines.Count} of the order's lines: nothing was reserved. The lines and the units available are in \"lines\".",
        statusCode: StatusCodes.Status409Conflict,
        extensions: new Dictionary<string, object?> { ["lines"] = lines });

    // Another user's order is "not found", as one that does not exist: its id says nothing about whether it does.
    private static ProblemHttpResult Missing(long orderId) => Problems.NotFound($"You have no order {orderId}.");
}

/// <summary>The <c>{order_id}</c> of the order routes.</summary>
public sealed record OrderRoute([FromRoute(Name = "order_id")] long OrderId) : IValidatable
{
    public Dictionary<string, string[]>? Validate() =>
        new ValidationErrors().Check(OrderId >= 1, "order_id", "Must be a whole number of 1 or more.").ToDictionary();
}

/// <summary>GET /orders?limit=&amp;after=: <c>after</c> is the <c>next</c> of the page before.</summary>
public sealed record OrderListQuery(int Limit = 10, string? After = null) : IValidatable
{
    public const int MaxLimit = 100;

    public Dictionary<string, string[]>? Validate() => new ValidationErrors()
        .Check(Limit is >= 1 and <= MaxLimit, "limit", $"Must be between 1 and {MaxLimit}.")
        .Check(After is null || OrderBook.ParseCursor(After) is not null, "after", "Must be the \"next\" of a previous page, unchanged.")
        .ToDictionary();
}
