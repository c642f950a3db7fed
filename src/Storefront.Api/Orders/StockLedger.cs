using Microsoft.EntityFrameworkCore;
using Storefront.Api.Data;

namespace Storefront.Api.Orders;

/// <summary>
/// Units available per item (item_stock, 0005/0007), changed only by single conditional statements inside the
/// caller's transaction: never read-then-write, so no instance can act on a level another has changed meanwhile.
/// Callers touch rows in ascending item id, so two transactions never wait on each other in a cycle.
/// </summary>
internal static class StockLedger
{
    /// <summary>Takes <paramref name="quantity"/> units if that many are there; the units left, or null when they are not.</summary>
    public static async Task<int?> TryReserveAsync(StorefrontDbContext db, int itemId, int quantity, long nowMs, CancellationToken cancellationToken)
    {
        // PostgreSQL: the row lock makes a concurrent reservation wait, and it re-checks "in_stock >= quantity" on the
        // row as committed by the one it waited for. SQLite: the transaction holds the database's single write lock.
        var left = await db.Database.SqlQuery<int>($"""
            UPDATE item_stock SET in_stock = in_stock - {quantity}, version = version + 1, updated_at_ms = {nowMs}
            WHERE item_id = {itemId} AND in_stock >= {quantity}
            RETURNING in_stock AS "Value"
            """).ToListAsync(cancellationToken);
        return left.Count == 0 ? null : left[0];
    }

    /// <summary>Gives units back (a cancelled order); the units there now.</summary>
    public static async Task<int> ReturnAsync(StorefrontDbContext db, int itemId, int quantity, long nowMs, CancellationToken cancellationToken)
    {
        var now = await db.Database.SqlQuery<int>($"""
            INSERT INTO item_stock (item_id, in_stock, updated_at_ms) VALUES ({itemId}, {quantity}, {nowMs})
            ON CONFLICT (item_id) DO UPDATE
            SET in_stock = item_stock.in_stock + excluded.in_stock, version = item_stock.version + 1, updated_at_ms = excluded.updated_at_ms
            RETURNING in_stock AS "Value"
            """).ToListAsync(cancellationToken);
        return now[0];
    }

    /// <summary>Sets the level (an admin's count).</summary>
    public static Task SetAsync(StorefrontDbContext db, int itemId, int inStock, long nowMs, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"""
            INSERT INTO item_stock (item_id, in_stock, updated_at_ms) VALUES ({itemId}, {inStock}, {nowMs})
            ON CONFLICT (item_id) DO UPDATE
            SET in_stock = excluded.in_stock, version = item_stock.version + 1, updated_at_ms = excluded.updated_at_ms
            """, cancellationToken);

    public static async Task<int> AvailableAsync(StorefrontDbContext db, int itemId, CancellationToken cancellationToken)
    {
        var levels = await db.Database.SqlQuery<int>($"SELECT in_stock AS \"Value\" FROM item_stock WHERE item_id = {itemId}")
            .ToListAsync(cancellationToken);
        return levels.Count == 0 ? 0 : levels[0];
    }
}
