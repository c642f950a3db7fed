using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Storefront.Api.Catalog;
using Storefront.Api.Data;
using Storefront.Api.Inventory;

namespace Storefront.Api.Orders;

/// <summary>Reading a user's orders and cancelling one.</summary>
internal sealed class OrderBook(StorefrontDbContext db, SqliteWriteGate writes, IStock stock, TimeProvider time)
{
    /// <summary>The order, only to its owner: anyone else is told it does not exist.</summary>
    public async Task<OrderResponse?> FindAsync(int userId, long orderId, CancellationToken cancellationToken)
    {
        var order = await db.Orders.Include(o => o.Lines).FirstOrDefaultAsync(o => o.Id == orderId && o.UserId == userId, cancellationToken);
        return order?.ToResponse();
    }

    /// <summary>Newest first, keyset-paged on the id: a page costs the same however deep it is, and new orders never shift it.</summary>
    public async Task<OrderListResponse> ListAsync(int userId, int limit, long? before, CancellationToken cancellationToken)
    {
        var query = db.Orders.Where(o => o.UserId == userId);
        if (before is { } id) query = query.Where(o => o.Id < id);
        var page = await query.OrderByDescending(o => o.Id).Take(limit + 1).Include(o => o.Lines).AsSplitQuery().ToListAsync(cancellationToken);
        var next = page.Count > limit ? Cursor(page[limit - 1].Id) : null;
        return new OrderListResponse([.. page.Take(limit).Select(o => o.ToResponse())], next);
    }

    /// <summary>
    /// Cancels a confirmed order and releases the units it held, in one transaction; the status change is the guard, so
    /// two concurrent cancels release the units once. An order cancelled before is answered as it is (idempotent).
    /// Releasing lowers the item's reserved units only: a level the warehouse gave meanwhile is never added to.
    /// </summary>
    public async Task<OrderResponse?> CancelAsync(int userId, long orderId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var returned = new Dictionary<int, int>();
        using (await writes.EnterAsync(cancellationToken))
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            var cancelled = await db.Orders.Where(o => o.Id == orderId && o.UserId == userId && o.Status == OrderStatus.Confirmed)
                .ExecuteUpdateAsync(set => set.SetProperty(o => o.Status, OrderStatus.Cancelled).SetProperty(o => o.CancelledAt, now), cancellationToken);
            if (cancelled == 0) return await FindAsync(userId, orderId, cancellationToken);
            var lines = await db.Set<OrderLine>().Where(l => l.OrderId == orderId).OrderBy(l => l.ItemId).ToListAsync(cancellationToken);
            foreach (var line in lines)
                returned[line.ItemId] = await stock.ReleaseAsync(db, line.ItemId, line.Quantity, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        var ids = returned.Keys.ToList();
        var prices = await db.Items.Where(i => ids.Contains(i.Id)).Select(i => new { i.Id, i.Price }).ToDictionaryAsync(i => i.Id, i => i.Price, CancellationToken.None);
        foreach (var (itemId, units) in returned) await stock.PublishAsync(itemId, prices.TryGetValue(itemId, out var price) ? price : null, units);
        return await FindAsync(userId, orderId, CancellationToken.None);
    }

    /// <summary>Opaque to clients ("after" hands it back): base64url of "o:&lt;id&gt;".</summary>
    public static string Cursor(long id) => Base64Url.EncodeToString(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"o:{id}")));

    public static long? ParseCursor(string cursor)
    {
        if (cursor.Length > 40) return null;
        try
        {
            var text = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(cursor));
            return text.StartsWith("o:", StringComparison.Ordinal)
                && long.TryParse(text.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id >= 1 ? id : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
