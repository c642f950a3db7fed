using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Storefront.Api.Data;

namespace Storefront.Api.Live;

/// <summary>One validated inventory event.</summary>
internal sealed record InventoryEvent(string EventId, int ItemId, int InStock);

/// <summary>The last stock level of each item, and the inventory events already applied (tables in 0005_stock.sql).</summary>
internal sealed class StockLevels(IServiceScopeFactory scopes, TimeProvider time, IOptions<InventoryOptions> options)
{
    private long _nextPruneMs;

    public async Task<int?> InStockAsync(int itemId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorefrontDbContext>();
        var levels = await db.Database.SqlQuery<int>($"SELECT in_stock AS \"Value\" FROM item_stock WHERE item_id = {itemId}")
            .ToListAsync(cancellationToken);
        return levels.Count == 0 ? null : levels[0];
    }

    /// <summary>
    /// Applies the events not applied before, in order, in one transaction: an event's id and its stock level are
    /// stored together or not at all. Returns the applied ones (duplicates are left out).
    /// </summary>
    public async Task<List<InventoryEvent>> ApplyAsync(IReadOnlyList<InventoryEvent> events, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorefrontDbContext>();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var applied = new List<InventoryEvent>(events.Count);
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            // Stock rows in ascending item id, as orders lock them, so a batch and an order never wait on each other in a
            // cycle (a deadlock); the sort is stable, so the events of one item keep their order.
            foreach (var e in events.OrderBy(e => e.ItemId))
            {
                // Concurrent deliveries of one event (two instances): the primary key lets exactly one insert it.
                var isNew = await db.Database.ExecuteSqlAsync(
                    $"INSERT INTO inventory_events (event_id, received_at_ms) VALUES ({e.EventId}, {now}) ON CONFLICT (event_id) DO NOTHING",
                    cancellationToken) == 1;
                if (!isNew) continue;
                await db.Database.ExecuteSqlAsync(
                    $"""
                    INSERT INTO item_stock (item_id, in_stock, updated_at_ms) VALUES ({e.ItemId}, {e.InStock}, {now})
                    ON CONFLICT (item_id) DO UPDATE SET in_stock = excluded.in_stock, updated_at_ms = excluded.updated_at_ms,
                        version = item_stock.version + 1
                    """, cancellationToken);
                applied.Add(e);
            }
            await transaction.CommitAsync(cancellationToken);
        }
        await PruneAsync(db, now, cancellationToken);
        return applied;
    }

    /// <summary>At most once an hour: forgets event ids older than the retention, so the table stays bounded.</summary>
    private async Task PruneAsync(StorefrontDbContext db, long now, CancellationToken cancellationToken)
    {
        var due = Interlocked.Read(ref _nextPruneMs);
        if (now < due || Interlocked.CompareExchange(ref _nextPruneMs, now + 3_600_000, due) != due) return;
        var cutoff = now - options.Value.EventRetentionHours * 3_600_000L;
        await db.Database.ExecuteSqlAsync($"DELETE FROM inventory_events WHERE received_at_ms < {cutoff}", cancellationToken);
    }
}
