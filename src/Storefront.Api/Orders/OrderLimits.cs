using Microsoft.EntityFrameworkCore;
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
}
