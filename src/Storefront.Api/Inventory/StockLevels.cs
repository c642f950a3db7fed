using Microsoft.EntityFrameworkCore;
using Storefront.Api.Data;

namespace Storefront.Api.Inventory;

/// <summary>One validated inventory event: the warehouse's on-hand count of the item.</summary>
internal sealed record InventoryEvent(string EventId, int ItemId, int OnHand);

/// <summary>An applied event and the units available after it (on hand less what orders hold).</summary>
internal sealed record AppliedEvent(InventoryEvent Event, int Available);

/// <summary>Levels from the inventory system, applied once each (inventory_events), and stock reads for publishing.</summary>
internal sealed class StockLevels(IServiceScopeFactory scopes, TimeProvider time, IOptions<InventoryOptions> options)
{
    private long _nextPruneMs;

    /// <summary>The units available, or null for an item no level was ever given for.</summary>
    public async Task<int?> AvailableAsync(int itemId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorefrontDbContext>();
        var levels = await db.Database.SqlQuery<int>($"SELECT available AS \"Value\" FROM stock_available WHERE item_id = {itemId}")
            .ToListAsync(cancellationToken);
        return levels.Count == 0 ? null : levels[0];
    }

    /// <summary>
    /// Applies the events not applied before, in order, in one transaction: an event's id and its stock level are
    /// stored together or not at all. Returns the applied ones (duplicates are left out) with the units available after each.
    /// </summary>
    public async Task<List<AppliedEvent>> ApplyAsync(IReadOnlyList<InventoryEvent> events, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorefrontDbContext>();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var applied = new List<AppliedEvent>(events.Count);
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
                // The warehouse's count replaces on_hand only: units confirmed orders hold stay reserved (docs/api.md, "Stock").
                applied.Add(new AppliedEvent(e, await StockLedger.SetOnHandAsync(db, e.ItemId, e.OnHand, now, cancellationToken)));
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
