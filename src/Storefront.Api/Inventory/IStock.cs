using Microsoft.EntityFrameworkCore;
using Npgsql;
using Storefront.Api.Data;
using Storefront.Api.Live;

namespace Storefront.Api.Inventory;

/// <summary>
/// What orders do to stock, inside the ordering (or cancelling) transaction they own, and what they publish once it
/// has committed. The only way another feature changes stock; reads for display go through the stock_available view.
/// </summary>
public interface IStock
{
    /// <summary>
    /// Reserves the units if they are available and the item is still at the version its price was read at; the units
    /// available after, or null (not enough, no such item, or the item changed since: the caller tells these apart).
    /// </summary>
    Task<int?> TryReserveAsync(StorefrontDbContext db, int itemId, int quantity, int itemVersion, CancellationToken cancellationToken);

    /// <summary>
    /// The last reservation of an order and its transaction's commit in one round trip (PostgreSQL; false elsewhere:
    /// reserve and commit as usual). When the units are not there the transaction is left aborted for the caller to roll back.
    /// </summary>
    bool CanReserveAndCommit(StorefrontDbContext db);

    /// <inheritdoc cref="CanReserveAndCommit"/>
    Task<int?> TryReserveAndCommitAsync(StorefrontDbContext db, int itemId, int quantity, int itemVersion, CancellationToken cancellationToken);

    /// <summary>
    /// PostgreSQL: <see cref="TryReserveAsync"/> as one statement of the caller's batch, its answer the units available
    /// after. When the units are not there (or the item changed) the statement fails with division_by_zero
    /// (<see cref="IsRefusal"/>), which aborts the batch's transaction: nothing of it is kept.
    /// </summary>
    NpgsqlBatchCommand ReserveCommand(int itemId, int quantity, int itemVersion);

    /// <summary>The error a <see cref="ReserveCommand"/> that could not reserve fails with.</summary>
    static bool IsRefusal(PostgresException exception) => exception.SqlState == PostgresErrorCodes.DivisionByZero;

    /// <summary>Releases the units a cancelled order held; the units available after.</summary>
    Task<int> ReleaseAsync(StorefrontDbContext db, int itemId, int quantity, CancellationToken cancellationToken);

    /// <summary>The units available now of each item that has a level (an item missing from the answer has none).</summary>
    Task<Dictionary<int, int>> AvailableAsync(StorefrontDbContext db, IReadOnlyList<int> itemIds, CancellationToken cancellationToken);

    /// <summary>Tells /ws/stock subscribers the committed level; after the commit only.</summary>
    ValueTask PublishAsync(int itemId, decimal? price, int available);
}

internal sealed class Stock(IStockPublisher publisher, TimeProvider time) : IStock
{
    public Task<int?> TryReserveAsync(StorefrontDbContext db, int itemId, int quantity, int itemVersion, CancellationToken cancellationToken) =>
        StockLedger.TryReserveAsync(db, itemId, quantity, itemVersion, NowMs(), cancellationToken);

    public bool CanReserveAndCommit(StorefrontDbContext db) => db.Database.IsNpgsql();

    public Task<int?> TryReserveAndCommitAsync(StorefrontDbContext db, int itemId, int quantity, int itemVersion, CancellationToken cancellationToken) =>
        StockLedger.TryReserveAndCommitAsync(db, itemId, quantity, itemVersion, NowMs(), cancellationToken);

    public NpgsqlBatchCommand ReserveCommand(int itemId, int quantity, int itemVersion) =>
        StockLedger.ReserveCommand(itemId, quantity, itemVersion, NowMs());

    public Task<int> ReleaseAsync(StorefrontDbContext db, int itemId, int quantity, CancellationToken cancellationToken) =>
        StockLedger.ReleaseAsync(db, itemId, quantity, NowMs(), cancellationToken);

    public Task<Dictionary<int, int>> AvailableAsync(StorefrontDbContext db, IReadOnlyList<int> itemIds, CancellationToken cancellationToken) =>
        StockLedger.AvailableAsync(db, itemIds, cancellationToken);

    public ValueTask PublishAsync(int itemId, decimal? price, int available) => publisher.PublishAsync(itemId, price, available);

    private long NowMs() => time.GetUtcNow().ToUnixTimeMilliseconds();
}
