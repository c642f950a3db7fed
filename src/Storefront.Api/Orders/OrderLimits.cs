using Microsoft.EntityFrameworkCore;
using Npgsql;
using Storefront.Api.Data;

namespace Storefront.Api.Orders;

/// <summary>Orders__MaxUnitsPerItemPerUser: the units of one item a user holds across confirmed orders, checked in the ordering transaction.</summary>
internal static class OrderLimits
{
    // pg_advisory_xact_lock(key1, key2): this number names "one user's orders"; the second key is the user id.
    private const int UserOrdersLock = 0x4f524452; // "ORDR"

    /// <summary>The lines that would take the user past the limit, with the units already held; null when none would (or the limit is off).</summary>
    public static async Task<List<HeldLine>?> OverUnitLimitAsync(StorefrontDbContext db, int userId, List<(int ItemId, int Quantity)> lines,
        int limit, CancellationToken cancellationToken)
    {
        if (limit == 0 || lines.Count == 0) return null;
        // Two concurrent orders of one user would each count the other's units as not there yet: PostgreSQL serialises a
        // user's orders on a lock held until the commit (other users never wait on it); SQLite has one writer anyway.
        if (db.Database.IsNpgsql())
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({UserOrdersLock}, {userId})", cancellationToken);
        var ids = lines.Select(l => l.ItemId).ToList();
        var held = await db.Orders.Where(o => o.UserId == userId && o.Status == OrderStatus.Confirmed)
            .SelectMany(o => o.Lines).Where(l => ids.Contains(l.ItemId))
            .GroupBy(l => l.ItemId).Select(g => new { ItemId = g.Key, Units = g.Sum(l => l.Quantity) })
            .ToDictionaryAsync(g => g.ItemId, g => g.Units, cancellationToken);
        var over = lines.Where(l => held.GetValueOrDefault(l.ItemId) + l.Quantity > limit)
            .Select(l => new HeldLine(l.ItemId, l.Quantity, held.GetValueOrDefault(l.ItemId))).ToList();
        return over.Count == 0 ? null : over;
    }

    /// <summary>PostgreSQL: the user's lock as one statement of a batch; held until that batch's transaction ends.</summary>
    public static NpgsqlBatchCommand LockCommand(int userId) => new($"SELECT pg_advisory_xact_lock({UserOrdersLock}, $1)::text")
    {
        Parameters = { new NpgsqlParameter<int> { TypedValue = userId } },
    };

    /// <summary>
    /// PostgreSQL, after <see cref="LockCommand"/>: a statement that fails (division_by_zero, aborting its batch) when a
    /// line would take the user past the limit. It does not say which: the general path, run then, names them.
    /// </summary>
    public static NpgsqlBatchCommand GuardCommand(int userId, List<(int ItemId, int Quantity)> lines, int limit) => new("""
        SELECT 1 / (CASE WHEN EXISTS (
            SELECT 1 FROM orders o JOIN order_lines l ON l.order_id = o.id
            JOIN unnest($2::integer[], $3::integer[]) AS r(item_id, quantity) ON r.item_id = l.item_id
            WHERE o.user_id = $1 AND o.status = 'confirmed'
            GROUP BY l.item_id, r.quantity HAVING sum(l.quantity) + r.quantity > $4) THEN 0 ELSE 1 END)
        """)
    {
        Parameters =
        {
            new NpgsqlParameter<int> { TypedValue = userId },
            new NpgsqlParameter<int[]> { TypedValue = [.. lines.Select(l => l.ItemId)] },
            new NpgsqlParameter<int[]> { TypedValue = [.. lines.Select(l => l.Quantity)] },
            new NpgsqlParameter<int> { TypedValue = limit },
        },
    };
}
