using System.Security.Cryptography;
using System.Text.Json;
using Storefront.Api.Catalog;
using Storefront.Api.Http;
using Storefront.Api.Live;

namespace Storefront.Api.Inventory;

/// <summary>
/// POST /inventory/events: the warehouse's on-hand counts from the inventory system. The body is read whole and checked
/// against its timestamped signature before anything in it is trusted; events are applied once each (by event id) and
/// published after the transaction commits.
/// </summary>
internal static class InventoryWebhook
{
    public const string SignatureHeader = WebhookSignature.Header;
    public const int MaxBodyBytes = 256 * 1024;
    private const int MaxEventIdLength = 200;

    public static async Task<Results<Accepted<InventoryAccepted>, ProblemHttpResult, ValidationProblem>> ReceiveAsync(
        HttpContext context, IOptions<InventoryOptions> options, StockLevels levels, IStockPublisher publisher, IItemReader items,
        InventoryMetrics metrics, TimeProvider time, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (string.IsNullOrEmpty(settings.WebhookSecret))
            return TypedResults.Problem("The inventory webhook is off on this instance: Inventory__WebhookSecret is not set.",
                statusCode: StatusCodes.Status503ServiceUnavailable);

        var body = await ReadBodyAsync(context.Request, cancellationToken);
        var verdict = WebhookSignature.Check(context.Request.Headers[SignatureHeader].ToString(), body, settings.WebhookSecret,
            time.GetUtcNow(), settings.SignatureToleranceSeconds);
        if (verdict != WebhookSignature.Verdict.Valid)
        {
            metrics.Refused(verdict == WebhookSignature.Verdict.OutsideTolerance ? "stale" : "signature");
            return TypedResults.Problem(verdict == WebhookSignature.Verdict.OutsideTolerance
                    ? $"The delivery's signed time (t) is more than {settings.SignatureToleranceSeconds} s from this server's clock: sign each delivery when it is sent."
                    : $"{SignatureHeader} must be t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\" with the shared secret>; it is missing or does not match.",
                statusCode: StatusCodes.Status401Unauthorized);
        }

        if (Parse(body, settings.MaxEventsPerRequest) is not { } events)
            return Problems.Invalid("body", $"Must be an event {{\"id\", \"in_stock\", \"event_id\"}} or a list of 1 to {settings.MaxEventsPerRequest} of them.");
        if (Validate(events) is { } errors)
            return TypedResults.ValidationProblem(errors, detail: "One or more fields are invalid.");

        var bodyId = Convert.ToHexStringLower(SHA256.HashData(body).AsSpan(0, 16));
        var received = events.Select((e, i) => new InventoryEvent(e.EventId ?? $"body:{bodyId}:{i}", e.Id!.Value, e.InStock!.Value)).ToList();
        var applied = await levels.ApplyAsync(received, cancellationToken);
        metrics.Events("applied", applied.Count);
        metrics.Events("duplicate", received.Count - applied.Count);
        if (applied.Count == 0)
            return TypedResults.Problem("Every event in this delivery has been applied before (same event ids, or the same body without event ids).",
                statusCode: StatusCodes.Status409Conflict);

        // Committed: the change is published even if the sender hangs up now. Several events of one item: the last one.
        foreach (var e in applied.GroupBy(e => e.Event.ItemId).Select(g => g.Last()))
        {
            var item = await items.FindAsync(e.Event.ItemId, CancellationToken.None);
            await publisher.PublishAsync(e.Event.ItemId, item?.Price, e.Available);
        }
        return TypedResults.Accepted((string?)null, new InventoryAccepted(applied.Count, received.Count - applied.Count));
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        // The endpoint's body limit (MaxBodyBytes) is enforced by the server while reading: 413 past it.
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    /// <summary>One event or a list of them; null when the body is neither (or the list is empty or too long).</summary>
    private static List<InventoryEventBody>? Parse(byte[] body, int maxEvents)
    {
        try
        {
            var first = body.AsSpan().TrimStart(" \t\r\n"u8);
            List<InventoryEventBody>? events = first.IsEmpty ? null
                : first[0] == (byte)'[' ? JsonSerializer.Deserialize(body, InventoryJsonContext.Default.ListInventoryEventBody)
                : JsonSerializer.Deserialize(body, InventoryJsonContext.Default.InventoryEventBody) is { } one ? [one] : null;
            return events is { Count: > 0 } && events.Count <= maxEvents && !events.Contains(null!) ? events : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static Dictionary<string, string[]>? Validate(List<InventoryEventBody> events)
    {
        var errors = new ValidationErrors();
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            var at = events.Count == 1 ? "" : $"[{i}].";
            errors.Check(e.Id is >= 1, $"{at}id", "Must be a whole number of 1 or more.")
                .Check(e.InStock is >= 0 and <= StockLedger.MaxUnits, $"{at}in_stock", $"Must be a whole number from 0 to {StockLedger.MaxUnits}.")
                .Check(e.EventId is null || (e.EventId.Length is >= 1 and <= MaxEventIdLength && e.EventId.All(c => c is >= '!' and <= '~')),
                    $"{at}event_id", $"Must be 1 to {MaxEventIdLength} printable ASCII characters without spaces.");
        }
        return errors.ToDictionary();
    }
}
