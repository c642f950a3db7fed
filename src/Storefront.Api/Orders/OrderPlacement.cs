using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Storefront.Api.Accounts;
using Storefront.Api.Catalog;
using Storefront.Api.Data;
using Storefront.Api.Email;
using Storefront.Api.Live;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Storefront.Api.Orders;

/// <summary>How POST /orders ended.</summary>
internal abstract record PlaceOutcome
{
    public sealed record Placed(OrderResponse Order) : PlaceOutcome;

    public sealed record Unavailable(List<UnavailableLine> Lines) : PlaceOutcome;

    /// <summary>The key's first answer, as it was given.</summary>
    public sealed record Replayed(int StatusCode, string Response) : PlaceOutcome;

    public sealed record KeyReused : PlaceOutcome;

    public sealed record KeyInProgress : PlaceOutcome;
}

/// <summary>
/// Places an order in one transaction: the Idempotency-Key claimed, every line reserved by a conditional update in
/// ascending item id, the order and its lines stored, the confirmation mail queued, the key's answer recorded. Either
/// all of it commits or none of it. Subscribers of /ws/stock hear the new levels after the commit.
/// </summary>
internal sealed class OrderPlacement(
    StorefrontDbContext db, SqliteWriteGate writes, IOrderMail mail, IStockPublisher stock, TimeProvider time, IOptions<OrdersOptions> options,
    IOptions<HttpJsonOptions> json)
{
    private static long s_nextPruneMs;

    public async Task<PlaceOutcome> PlaceAsync(int userId, OrderRequest request, string? key, CancellationToken cancellationToken)
    {
        var lines = request.Lines!.Select(l => (ItemId: l!.ItemId!.Value, Quantity: l.Quantity!.Value)).OrderBy(l => l.ItemId).ToList();
        var ids = lines.Select(l => l.ItemId).ToList();
        // Read before the transaction, so no row lock is held meanwhile: the price a line is ordered at, the address to confirm to.
        var prices = await db.Items.Where(i => ids.Contains(i.Id)).Select(i => new { i.Id, i.Price }).ToDictionaryAsync(i => i.Id, i => i.Price, cancellationToken);
        var email = await db.Users.Where(u => u.Id == userId).Select(u => u.Email).FirstAsync(cancellationToken);
        var now = time.GetUtcNow();
        var nowMs = now.ToUnixTimeMilliseconds();
        var cutoffMs = nowMs - options.Value.IdempotencyKeyHours * 3_600_000L;

        PlaceOutcome outcome;
        var left = new Dictionary<int, int>();
        using (await writes.EnterAsync(cancellationToken))
            outcome = await PlaceInTransactionAsync(userId, request, key, lines, prices, email, now, cutoffMs, left, cancellationToken);
        if (outcome is not PlaceOutcome.Placed) return outcome;

        // Committed: the new levels go out even if the client hangs up now.
        foreach (var (itemId, units) in left) await stock.PublishAsync(itemId, prices[itemId], units);
        await PruneAsync(nowMs, cutoffMs);
        return outcome;
    }

    private async Task<PlaceOutcome> PlaceInTransactionAsync(int userId, OrderRequest request, string? key, List<(int ItemId, int Quantity)> lines,
        Dictionary<int, decimal> prices, string email, DateTimeOffset now, long cutoffMs, Dictionary<int, int> left, CancellationToken cancellationToken)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
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

        // Everything else is written first and the stock last, just before the commit: a reservation's row lock is what
        // orders of one item queue on, so it is held for the reservations and the commit only, not for the inserts.
        var order = new Order
        {
            UserId = userId,
            Status = OrderStatus.Confirmed,
            CreatedAt = now,
            Lines = [.. lines.Where(l => prices.ContainsKey(l.ItemId))
                .Select(l => new OrderLine { ItemId = l.ItemId, Quantity = l.Quantity, UnitPrice = prices[l.ItemId] })],
        };
        order.Total = order.Lines.Sum(l => l.UnitPrice * l.Quantity);
        db.Orders.Add(order);
        await db.SaveChangesAsync(cancellationToken); // The order's id, for the mail and the answer.
        mail.StageConfirmation(db, userId, email, order.Id, order.Total);
        await db.SaveChangesAsync(cancellationToken);
        var placed = order.ToResponse();
        if (key is not null)
            await IdempotencyKeys.RecordAsync(db, userId, key, StatusCodes.Status201Created, Serialize(placed), cancellationToken);

        var unavailable = new List<(int ItemId, int Quantity)>();
        foreach (var (itemId, quantity) in lines)
        {
            // An item the catalog does not have cannot be priced: it is named with the lines the stock cannot serve.
            var remaining = prices.ContainsKey(itemId) ? await StockLedger.TryReserveAsync(db, itemId, quantity, nowMs, cancellationToken) : null;
            if (remaining is { } units) left[itemId] = units;
            else unavailable.Add((itemId, quantity));
        }

        if (unavailable.Count == 0)
        {
            await transaction.CommitAsync(cancellationToken);
            return new PlaceOutcome.Placed(placed);
        }

        left.Clear();
        // The rows written above are gone with the rollback: the context must not think them stored.
        db.ChangeTracker.Clear();
        if (key is null)
        {
            await transaction.RollbackAsync(cancellationToken);
            return new PlaceOutcome.Unavailable(await NameAsync(unavailable, prices, cancellationToken));
        }
        // The order, its mail and the reservations made are undone; the key keeps this answer, so a retry is told the same.
        await transaction.RollbackToSavepointAsync("reserve", cancellationToken);
        var named = await NameAsync(unavailable, prices, cancellationToken);
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

    private async Task<List<UnavailableLine>> NameAsync(List<(int ItemId, int Quantity)> lines, Dictionary<int, decimal> prices,
        CancellationToken cancellationToken)
    {
        var named = new List<UnavailableLine>(lines.Count);
        foreach (var (itemId, quantity) in lines)
            named.Add(new UnavailableLine(itemId, quantity, prices.ContainsKey(itemId) ? await StockLedger.AvailableAsync(db, itemId, cancellationToken) : 0));
        return named;
    }

    /// <summary>At most once an hour per instance: forgets keys past the retention, so the table stays bounded.</summary>
    private async Task PruneAsync(long nowMs, long cutoffMs)
    {
        var due = Interlocked.Read(ref s_nextPruneMs);
        if (nowMs < due || Interlocked.CompareExchange(ref s_nextPruneMs, nowMs + 3_600_000, due) != due) return;
        await IdempotencyKeys.PruneAsync(db, cutoffMs, CancellationToken.None);
    }
}
