using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using Storefront.Api.Data;

namespace Storefront.Api.Inventory;

/// <summary>
/// The only SQL that touches item_stock. A row holds <c>on_hand</c> (the last level the inventory
/// system or staff gave) and <c>reserved</c> (the units confirmed orders hold); available = on_hand − reserved, never
/// below 0. Every change is one conditional statement inside the caller's transaction, never read-then-write, so no
/// instance acts on a level another has changed meanwhile. Callers touch rows in ascending item id, so two
/// transactions never wait on each other in a cycle. The SQL is the same on both stores (CASE, not GREATEST/MAX).
/// </summary>
internal static class StockLedger
{
    /// <summary>The largest level any path accepts (staff, the webhook): reserved ≤ on_hand ≤ this keeps every sum in range.</summary>
    public const int MaxUnits = 1_000_000_000;

    /// <summary>
    /// Reserves <paramref name="quantity"/> units if that many are available and the item is still at
    /// <paramref name="itemVersion"/> (the version its price was read at); the units available after, or null.
    /// </summary>
    public static async Task<int?> TryReserveAsync(StorefrontDbContext db, int itemId, int quantity, int itemVersion, long nowMs,
        CancellationToken cancellationToken)
    {
        // PostgreSQL: the row lock makes a concurrent reservation wait, and it re-checks the condition on the row as
        // committed by the one it waited for. SQLite: the transaction holds the database's single write lock.
        var left = await db.Database.SqlQuery<int>($"""
            UPDATE item_stock SET reserved = reserved + {quantity}, version = version + 1, updated_at_ms = {nowMs}
            WHERE item_id = {itemId} AND on_hand - reserved >= {quantity}
              AND EXISTS (SELECT 1 FROM items WHERE id = {itemId} AND version = {itemVersion})
            RETURNING on_hand - reserved AS "Value"
            """).ToListAsync(cancellationToken);
        return left.Count == 0 ? null : left[0];
    }

    /// <summary>
    /// PostgreSQL: <see cref="TryReserveAsync"/> as a statement that fails when it reserves nothing (a division by the zero
    /// rows it changed, division_by_zero), which aborts the transaction it is in, so nothing after it runs and nothing
    /// before it is kept. Sent with the statements before it and the COMMIT in one round trip, the item's row lock is
    /// released as soon as the server has it, instead of after the answer has crossed to the service and its
    /// continuation has had its turn on a busy thread pool: on a hot item, that wait was most of the lock's time.
    /// Its one row is the units available after.
    /// </summary>
    public static NpgsqlBatchCommand ReserveCommand(int itemId, int quantity, int itemVersion, long nowMs)
    {
        var command = new NpgsqlBatchCommand(GuardedReserveSql);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = quantity });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = nowMs });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = itemId });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = itemVersion });
        return command;
    }

    private const string GuardedReserveSql = """
        WITH reserved AS (
            UPDATE item_stock SET reserved = reserved + $1, version = version + 1, updated_at_ms = $2
            WHERE item_id = $3 AND on_hand - reserved >= $1
              AND EXISTS (SELECT 1 FROM items WHERE id = $3 AND version = $4)
            RETURNING on_hand - reserved AS units)
        SELECT COALESCE((SELECT units FROM reserved), 0) + 0 * (1 / (SELECT count(*)::int FROM reserved))
        """;

    /// <summary>
    /// PostgreSQL: <see cref="ReserveCommand"/> and the COMMIT of the caller's transaction in one round trip: the units
    /// available after, or null with the transaction aborted (the caller rolls it back).
    /// </summary>
    public static async Task<int?> TryReserveAndCommitAsync(StorefrontDbContext db, int itemId, int quantity, int itemVersion, long nowMs,
        CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var batch = new NpgsqlBatch(connection, (NpgsqlTransaction)db.Database.CurrentTransaction!.GetDbTransaction())
        {
            BatchCommands = { ReserveCommand(itemId, quantity, itemVersion, nowMs), new NpgsqlBatchCommand("COMMIT") },
        };
        try
        {
            return (int)(await batch.ExecuteScalarAsync(cancellationToken))!;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DivisionByZero)
        {
            return null;
        }
    }

    /// <summary>Releases units a cancelled order held; the units available after.</summary>
    public static async Task<int> ReleaseAsync(StorefrontDbContext db, int itemId, int quantity, long nowMs, CancellationToken cancellationToken)
    {
        // reserved never goes below 0: a row written before reservations were kept may hold less than an old order's units.
        var now = await db.Database.SqlQuery<int>($"""
            UPDATE item_stock
            SET reserved = CASE WHEN reserved > {quantity} THEN reserved - {quantity} ELSE 0 END,
                version = version + 1, updated_at_ms = {nowMs}
            WHERE item_id = {itemId}
            RETURNING CASE WHEN on_hand > reserved THEN on_hand - reserved ELSE 0 END AS "Value"
            """).ToListAsync(cancellationToken);
        return now.Count == 0 ? 0 : now[0];
    }

    /// <summary>Sets on_hand (a level from staff or the inventory system); reservations stay. The units available after.</summary>
    public static async Task<int> SetOnHandAsync(StorefrontDbContext db, int itemId, int onHand, long nowMs, CancellationToken cancellationToken)
    {
        var now = await db.Database.SqlQuery<int>($"""
            INSERT INTO item_stock (item_id, on_hand, reserved, updated_at_ms) VALUES ({itemId}, {onHand}, 0, {nowMs})
            ON CONFLICT (item_id) DO UPDATE
            SET on_hand = excluded.on_hand, version = item_stock.version + 1, updated_at_ms = excluded.updated_at_ms
            RETURNING CASE WHEN on_hand > reserved THEN on_hand - reserved ELSE 0 END AS "Value"
            """).ToListAsync(cancellationToken);
        return now[0];
    }

    public static async Task<StockLevel> LevelAsync(StorefrontDbContext db, int itemId, CancellationToken cancellationToken)
    {
        var rows = await db.Database.SqlQuery<LevelRow>($"""
            SELECT on_hand AS "OnHand", reserved AS "Reserved" FROM item_stock WHERE item_id = {itemId}
            """).ToListAsync(cancellationToken);
        return rows.Count == 0 ? new StockLevel(0, 0) : new StockLevel(rows[0].OnHand, rows[0].Reserved);
    }

    /// <summary>One statement for any number of items: the available units of those that have a level.</summary>
    public static async Task<Dictionary<int, int>> AvailableAsync(StorefrontDbContext db, IReadOnlyList<int> itemIds, CancellationToken cancellationToken)
    {
        if (itemIds.Count == 1)
        {
            // The common one-line order: a plain parameter, one plan for every item (no list to expand).
            var id = itemIds[0];
            var one = await db.Database.SqlQuery<int>($"""SELECT available AS "Value" FROM stock_available WHERE item_id = {id}""")
                .ToListAsync(cancellationToken);
            return one.Count == 0 ? [] : new Dictionary<int, int> { [id] = one[0] };
        }
        if (db.Database.IsNpgsql())
        {
            // One array parameter: one statement text for any number of items, so it stays in the auto-prepared set.
            var array = itemIds.ToArray();
            var found = await db.Database.SqlQuery<AvailableRow>(
                $"""SELECT item_id AS "ItemId", available AS "Available" FROM stock_available WHERE item_id = ANY({array})""")
                .ToListAsync(cancellationToken);
            return found.ToDictionary(r => r.ItemId, r => r.Available);
        }
        var ids = string.Join(",", itemIds.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        // Whole numbers formatted here, never text from a client: safe to inline, and both stores read the list the same way.
        var sql = $"""SELECT item_id AS "ItemId", available AS "Available" FROM stock_available WHERE item_id IN ({ids})""";
        var rows = await db.Database.SqlQueryRaw<AvailableRow>(sql).ToListAsync(cancellationToken);
        return rows.ToDictionary(r => r.ItemId, r => r.Available);
    }

    public static async Task<bool> AnyAsync(StorefrontDbContext db, CancellationToken cancellationToken) =>
        (await db.Database.SqlQuery<int>($"SELECT 1 AS \"Value\" FROM item_stock LIMIT 1").ToListAsync(cancellationToken)).Count > 0;

    /// <summary>Gives every item without a stock row <paramref name="units"/> on hand (the sample data's first run).</summary>
    public static Task<int> StockUnstockedItemsAsync(StorefrontDbContext db, int units, long nowMs, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"""
            INSERT INTO item_stock (item_id, on_hand, reserved, updated_at_ms)
            SELECT id, {units}, 0, {nowMs} FROM items WHERE id NOT IN (SELECT item_id FROM item_stock)
            """, cancellationToken);
}

internal sealed class AvailableRow
{
    public int ItemId { get; init; }
    public int Available { get; init; }
}

internal sealed class LevelRow
{
    public int OnHand { get; init; }
    public int Reserved { get; init; }
}

/// <summary>One item's stock: what the warehouse holds and what confirmed orders hold of it.</summary>
public sealed record StockLevel(int OnHand, int Reserved)
{
    public int Available => Math.Max(OnHand - Reserved, 0);
}
