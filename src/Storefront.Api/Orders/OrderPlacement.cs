using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Storefront.Api.Accounts;
using Storefront.Api.Catalog;
using Storefront.Api.Data;
using Storefront.Api.Email;
using Storefront.Api.Inventory;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Storefront.Api.Orders;

/// <summary>How POST /orders ended.</summary>
internal abstract record PlaceOutcome
{
    public sealed record Placed(OrderResponse Order) : PlaceOutcome;

    public sealed record Unavailable(List<UnavailableLine> Lines) : PlaceOutcome;

    /// <summary>The order's total does not fit the orders table (400): the lines with their totals.</summary>
    public sealed record TooLarge(List<LineTotal> Lines, decimal Total) : PlaceOutcome;

    /// <summary>Orders__MaxUnitsPerItemPerUser (409): the lines that would take the user past it.</summary>
    public sealed record OverUnitLimit(int Limit, List<HeldLine> Lines) : PlaceOutcome;

    /// <summary>The key's first answer, as it was given.</summary>
    public sealed record Replayed(int StatusCode, string Response) : PlaceOutcome;

    public sealed record KeyReused : PlaceOutcome;

    public sealed record KeyInProgress : PlaceOutcome;

    /// <summary>An item changed (its price) between the read and the reservation: the whole placement runs again.</summary>
    public sealed record ItemChanged : PlaceOutcome;
}

/// <summary>
/// Places an order in one transaction: the Idempotency-Key claimed, the items' prices read, the per-user limit checked,
/// the order, its lines, the confirmation mail and the key's answer written, and last every line reserved by a
/// conditional update in ascending item id that also checks the item is still at the version its price was read at.
/// So the price on the order is the price when the stock was taken, and the hot stock row is locked only for the
/// reservations and the commit. Either all of it commits or none of it. Subscribers of /ws/stock hear the new levels
/// after the commit.
/// </summary>
internal sealed class OrderPlacement(
    StorefrontDbContext db, SqliteWriteGate writes, IOrderBatch batch, IOrderMail mail, IStock stock, TimeProvider time,
    IOptions<OrdersOptions> options, IOptions<HttpJsonOptions> json)
{
    /// <summary>numeric(14, 2), the orders.total column: the most an order can hold.</summary>
    public const decimal MaxTotal = 999_999_999_999.99m;

    private const int Attempts = 3;
    private static long s_nextPruneMs;

    public async Task<PlaceOutcome> PlaceAsync(int userId, OrderRequest request, string? key, CancellationToken cancellationToken)
    {
        var lines = request.Lines!.Select(l => (ItemId: l!.ItemId!.Value, Quantity: l.Quantity!.Value)).OrderBy(l => l.ItemId).ToList();
        // Without a key, the store's fastest way first (PostgreSQL: two round trips); what it does not decide runs below.
        if (key is null && await batch.TryPlaceAsync(userId, lines, cancellationToken) is { } decided) return decided;
        // Known short: answered from a plain read, without a transaction, a lock or the SQLite writer's queue. Only a
        // refusal is decided here; a sale is decided by the conditional update alone. Not with a key: its refusal is
        // remembered, which is a write.
        if (key is null && await KnownShortAsync(lines, cancellationToken) is { } shortLines) return new PlaceOutcome.Unavailable(shortLines);

        var email = await db.Users.Where(u => u.Id == userId).Select(u => u.Email).FirstAsync(cancellationToken);
        PlaceOutcome outcome = new PlaceOutcome.ItemChanged();
        var left = new Dictionary<int, (decimal Price, int Available)>();
        using (await writes.EnterAsync(cancellationToken))
        {
            for (var attempt = 0; attempt < Attempts && outcome is PlaceOutcome.ItemChanged; attempt++)
            {
                left.Clear();
                outcome = await PlaceInTransactionAsync(userId, request, key, lines, email, left, cancellationToken);
            }
        }
        if (outcome is PlaceOutcome.ItemChanged) return new PlaceOutcome.KeyInProgress(); // Items changing under every attempt: retry later.
        if (outcome is not PlaceOutcome.Placed) return outcome;

        // Committed: the new levels go out even if the client hangs up now.
        foreach (var (itemId, (price, available)) in left) await stock.PublishAsync(itemId, price, available);
        await PruneAsync();
        return outcome;
    }

    private async Task<List<UnavailableLine>?> KnownShortAsync(List<(int ItemId, int Quantity)> lines, CancellationToken cancellationToken)
    {
        var available = await stock.AvailableAsync(db, [.. lines.Select(l => l.ItemId)], cancellationToken);
        var shortLines = lines.Where(l => available.GetValueOrDefault(l.ItemId) < l.Quantity).ToList();
        if (shortLines.Count == 0) return null;
        // An item the catalog does not have is short too (0), but a line that is merely unpriced must not be refused here.
        return [.. shortLines.Select(l => new UnavailableLine(l.ItemId, l.Quantity, available.GetValueOrDefault(l.ItemId)))];
    }

    private async Task<PlaceOutcome> PlaceInTransactionAsync(int userId, OrderRequest request, string? key, List<(int ItemId, int Quantity)> lines,
        string email, Dictionary<int, (decimal Price, int Available)> left, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var nowMs = now.ToUnixTimeMilliseconds();
        var cutoffMs = nowMs - options.Value.IdempotencyKeyHours * 3_600_000L;
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (key is not null)
        {
            var hash = RequestHash(request);
            if (!await IdempotencyKeys.ClaimAsync(db, userId, key, hash, nowMs, cutoffMs, cancellationToken))
            {
                var stored = await IdempotencyKeys.FindAsync(db, userId, key, cancellationToken);
                return stored switch
                {
                    null => new PlaceOutcome.KeyInProgress(), // Pruned between the two statements: the client may simply retry.
                    _ when stored.RequestHash != hash => new PlaceOutcome.KeyReused(),
                    { StatusCode: { } status, Response: { } response } => new PlaceOutcome.Replayed(status, response),
                    _ => new PlaceOutcome.KeyInProgress(),
                };
            }
            await transaction.CreateSavepointAsync("reserve", cancellationToken);
        }

        // Read in the transaction: the version is checked again by each reservation, so these are the prices of the moment
        // the stock is taken (an item changed in between makes the placement run again).
        var ids = lines.Select(l => l.ItemId).ToList();
        var items = await db.Items.Where(i => ids.Contains(i.Id)).Select(i => new { i.Id, i.Price, i.Version })
            .ToDictionaryAsync(i => i.Id, cancellationToken);
        var priced = lines.Where(l => items.ContainsKey(l.ItemId)).ToList();
        var total = priced.Sum(l => items[l.ItemId].Price * l.Quantity);
        if (total > MaxTotal)
            return new PlaceOutcome.TooLarge([.. priced.Select(l => new LineTotal(l.ItemId, l.Quantity, items[l.ItemId].Price * l.Quantity))], total);
        if (await OrderLimits.OverUnitLimitAsync(db, userId, priced, options.Value.MaxUnitsPerItemPerUser, cancellationToken) is { } over)
            return new PlaceOutcome.OverUnitLimit(options.Value.MaxUnitsPerItemPerUser, over);

        // Everything else is written first and the stock last, just before the commit: a reservation's row lock is what
        // orders of one item queue on, so it is held for the reservations and the commit only, not for the inserts.
        var order = new Order { UserId = userId, Status = OrderStatus.Confirmed, CreatedAt = now, Total = total };
        db.Orders.Add(order);
        await db.SaveChangesAsync(cancellationToken); // The order's id, for its lines and the mail.
        // The lines and the mail in one batch: one round trip, where adding the lines with the order took two (EF Core
        // needs the generated id before it can write the dependents).
        List<OrderLine> orderLines = [.. priced.Select(l => new OrderLine { OrderId = order.Id, ItemId = l.ItemId, Quantity = l.Quantity, UnitPrice = items[l.ItemId].Price })];
        db.Set<OrderLine>().AddRange(orderLines);
        mail.StageConfirmation(db, userId, email, order.Id, order.Total);
        await db.SaveChangesAsync(cancellationToken);
        order.Lines = orderLines;
        var placed = order.ToResponse();
        if (key is not null)
            await IdempotencyKeys.RecordAsync(db, userId, key, StatusCodes.Status201Created, Serialize(placed), cancellationToken);

        var unavailable = new List<(int ItemId, int Quantity)>();
        // Without a key (whose savepoint a refusal rolls back to) and with every line priced, the last reservation
        // carries the COMMIT on PostgreSQL: the hot row is unlocked one round trip sooner.
        var commitWithLast = key is null && priced.Count == lines.Count && stock.CanReserveAndCommit(db);
        var committed = false;
        for (var i = 0; i < lines.Count; i++)
        {
            var (itemId, quantity) = lines[i];
            // An item the catalog does not have cannot be priced: it is named with the lines the stock cannot serve.
            int? remaining = null;
            if (items.TryGetValue(itemId, out var item))
            {
                if (commitWithLast && i == lines.Count - 1 && unavailable.Count == 0)
                {
                    remaining = await stock.TryReserveAndCommitAsync(db, itemId, quantity, item.Version, cancellationToken);
                    committed = remaining is not null;
                }
                else remaining = await stock.TryReserveAsync(db, itemId, quantity, item.Version, cancellationToken);
            }
            if (remaining is { } units) left[itemId] = (item!.Price, units);
            else unavailable.Add((itemId, quantity));
        }

        if (unavailable.Count == 0)
        {
            if (!committed) await transaction.CommitAsync(cancellationToken);
            return new PlaceOutcome.Placed(placed);
        }

        left.Clear();
        // The rows written above are gone with the rollback: the context must not think them stored.
        db.ChangeTracker.Clear();
        // Without a key nothing of this transaction is kept (and a failed reserve-and-commit has aborted it): roll back
        // first, then name the lines from what is committed.
        if (key is null) await transaction.RollbackAsync(cancellationToken);
        var named = await NameAsync(unavailable, cancellationToken);
        // Every refused line had the units: an item changed since its price was read. Nothing is kept; run again.
        if (named.All(l => l.Available >= l.Quantity && items.ContainsKey(l.ItemId)))
        {
            if (key is not null) await transaction.RollbackAsync(cancellationToken);
            return new PlaceOutcome.ItemChanged();
        }
        if (key is null) return new PlaceOutcome.Unavailable(named);
        // The order, its mail and the reservations made are undone; the key keeps this answer, so a retry is told the same.
        await transaction.RollbackToSavepointAsync("reserve", cancellationToken);
        await IdempotencyKeys.RecordAsync(db, userId, key, StatusCodes.Status409Conflict,
            JsonSerializer.Serialize(named, OrdersJsonContext.Default.ListUnavailableLine), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new PlaceOutcome.Unavailable(named);
    }

    /// <summary>The answer's JSON exactly as the framework writes it, so a replay returns the same bytes.</summary>
    public string Serialize(OrderResponse order) =>
        JsonSerializer.Serialize(order, json.Value.SerializerOptions.GetTypeInfo(typeof(OrderResponse)));

    /// <summary>A digest of the request as parsed: the same lines in other whitespace are the same request.</summary>
    private static string RequestHash(OrderRequest request) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request, OrdersJsonContext.Default.OrderRequest)));

    private async Task<List<UnavailableLine>> NameAsync(List<(int ItemId, int Quantity)> lines, CancellationToken cancellationToken)
    {
        var available = await stock.AvailableAsync(db, [.. lines.Select(l => l.ItemId)], cancellationToken);
        return [.. lines.Select(l => new UnavailableLine(l.ItemId, l.Quantity, available.GetValueOrDefault(l.ItemId)))];
    }

    /// <summary>At most once an hour per instance: forgets keys past the retention, so the table stays bounded.</summary>
    private async Task PruneAsync()
    {
        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        var due = Interlocked.Read(ref s_nextPruneMs);
        if (nowMs < due || Interlocked.CompareExchange(ref s_nextPruneMs, nowMs + 3_600_000, due) != due) return;
        await IdempotencyKeys.PruneAsync(db, nowMs - options.Value.IdempotencyKeyHours * 3_600_000L, CancellationToken.None);
    }
}
