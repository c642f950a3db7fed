using Npgsql;
using Storefront.Api.Accounts;
using Storefront.Api.Catalog;
using Storefront.Api.Email;
using Storefront.Api.Inventory;

namespace Storefront.Api.Orders;

/// <summary>
/// An order without an Idempotency-Key in the fewest round trips the store allows. Null means "not decided here": the
/// caller runs <see cref="OrderPlacement"/>'s general transaction, which tells every refusal apart and names it.
/// </summary>
internal interface IOrderBatch
{
    Task<PlaceOutcome?> TryPlaceAsync(int userId, List<(int ItemId, int Quantity)> lines, CancellationToken cancellationToken);
}

/// <summary>SQLite: one writer at a time anyway; every order takes the general transaction.</summary>
internal sealed class NoOrderBatch : IOrderBatch
{
    public Task<PlaceOutcome?> TryPlaceAsync(int userId, List<(int ItemId, int Quantity)> lines, CancellationToken cancellationToken) =>
        Task.FromResult<PlaceOutcome?>(null);
}

/// <summary>
/// PostgreSQL, two round trips. The first reads the lines' prices, versions and units available, the buyer's address
/// and the order's id (a refusal of stock known to be short ends here, without a transaction or a lock). The second
/// is one batch, which PostgreSQL runs as one transaction: the per-user limit (under the user's lock), the order, its
/// lines, the confirmation job, and last the reservations in ascending item id, each a conditional update that also
/// checks the item is still at the version its price was read at. A guard that fails (no units, the item changed, the
/// limit) fails its statement, which aborts the whole batch: nothing of it is kept, and the general transaction then
/// runs and names the reason. So the guarantees are the general path's (no oversell, price at the moment the stock is
/// taken, the order and its mail in one transaction, /ws/stock after the commit), and the hot item's row lock is held
/// only from its update to the commit, inside one server-side execution.
/// </summary>
internal sealed class PostgresOrderBatch(NpgsqlDataSource dataSource, IOrderMail mail, IStock stock, TimeProvider time,
    IOptions<OrdersOptions> options) : IOrderBatch
{
    public async Task<PlaceOutcome?> TryPlaceAsync(int userId, List<(int ItemId, int Quantity)> lines, CancellationToken cancellationToken)
    {
        var limit = options.Value.MaxUnitsPerItemPerUser;
        if (limit > 0 && lines.Any(l => l.Quantity > limit)) return null; // Over the limit on its own: the general path names it.

        var ids = lines.Select(l => l.ItemId).ToArray();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var (items, email, orderId) = await ReadAsync(connection, userId, ids, cancellationToken);
        if (email is null) return null; // No such user (an account deleted under a live token): not decided here.

        var shortLines = lines.Where(l => !items.TryGetValue(l.ItemId, out var item) || item.Available < l.Quantity).ToList();
        if (shortLines.Count > 0)
            return new PlaceOutcome.Unavailable([.. shortLines.Select(l =>
                new UnavailableLine(l.ItemId, l.Quantity, items.TryGetValue(l.ItemId, out var item) ? item.Available : 0))]);
        var total = lines.Sum(l => items[l.ItemId].Price * l.Quantity);
        if (total > OrderPlacement.MaxTotal)
            return new PlaceOutcome.TooLarge([.. lines.Select(l => new LineTotal(l.ItemId, l.Quantity, items[l.ItemId].Price * l.Quantity))], total);

        var order = new Order
        {
            Id = orderId, UserId = userId, Status = OrderStatus.Confirmed, CreatedAt = time.GetUtcNow(), Total = total,
            Lines = [.. lines.Select(l => new OrderLine { OrderId = orderId, ItemId = l.ItemId, Quantity = l.Quantity, UnitPrice = items[l.ItemId].Price })],
        };
        await using var batch = new NpgsqlBatch(connection);
        if (limit > 0)
        {
            batch.BatchCommands.Add(OrderLimits.LockCommand(userId));
            batch.BatchCommands.Add(OrderLimits.GuardCommand(userId, lines, limit));
        }
        batch.BatchCommands.Add(InsertCommand(order));
        batch.BatchCommands.Add(InsertLinesCommand(order));
        batch.BatchCommands.Add(mail.ConfirmationCommand(userId, email, orderId, total));
        foreach (var (itemId, quantity) in lines) batch.BatchCommands.Add(stock.ReserveCommand(itemId, quantity, items[itemId].Version));

        var rows = new List<object>();
        try
        {
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            do
            {
                while (await reader.ReadAsync(cancellationToken)) rows.Add(reader.GetValue(0));
            }
            while (await reader.NextResultAsync(cancellationToken));
        }
        catch (PostgresException ex) when (IStock.IsRefusal(ex))
        {
            return null;
        }

        // Committed. The reservations are the last rows: one each, the units available after.
        mail.Stored();
        for (var i = 0; i < lines.Count; i++)
        {
            var itemId = lines[i].ItemId;
            await stock.PublishAsync(itemId, items[itemId].Price, (int)rows[rows.Count - lines.Count + i]);
        }
        return new PlaceOutcome.Placed(order.ToResponse());
    }

    private static async Task<(Dictionary<int, (decimal Price, int Version, int Available)> Items, string? Email, long OrderId)> ReadAsync(
        NpgsqlConnection connection, int userId, int[] ids, CancellationToken cancellationToken)
    {
        // The order's id is taken now so the job's payload can carry it; a refusal leaves a gap in the bigint sequence.
        await using var read = new NpgsqlBatch(connection)
        {
            BatchCommands = { PostgresItemReader.PricesCommand(ids), AccountTables.EmailCommand(userId), new("SELECT nextval('orders_id_seq')") },
        };
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        var items = new Dictionary<int, (decimal, int, int)>(ids.Length);
        while (await reader.ReadAsync(cancellationToken)) items[reader.GetInt32(0)] = (reader.GetDecimal(1), reader.GetInt32(2), reader.GetInt32(3));
        await reader.NextResultAsync(cancellationToken);
        var email = await reader.ReadAsync(cancellationToken) ? reader.GetString(0) : null;
        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (items, email, reader.GetInt64(0));
    }

    private static NpgsqlBatchCommand InsertCommand(Order order) => new(
        "INSERT INTO orders (id, user_id, status, total, created_at) VALUES ($1, $2, $3, $4, $5)")
    {
        Parameters =
        {
            new NpgsqlParameter<long> { TypedValue = order.Id },
            new NpgsqlParameter<int> { TypedValue = order.UserId },
            new NpgsqlParameter<string> { TypedValue = order.Status },
            new NpgsqlParameter<decimal> { TypedValue = order.Total },
            new NpgsqlParameter<DateTimeOffset> { TypedValue = order.CreatedAt },
        },
    };

    private static NpgsqlBatchCommand InsertLinesCommand(Order order) => new("""
        INSERT INTO order_lines (order_id, item_id, quantity, unit_price)
        SELECT $1, l.item_id, l.quantity, l.unit_price FROM unnest($2::integer[], $3::integer[], $4::numeric[]) AS l(item_id, quantity, unit_price)
        """)
    {
        Parameters =
        {
            new NpgsqlParameter<long> { TypedValue = order.Id },
            new NpgsqlParameter<int[]> { TypedValue = [.. order.Lines.Select(l => l.ItemId)] },
            new NpgsqlParameter<int[]> { TypedValue = [.. order.Lines.Select(l => l.Quantity)] },
            new NpgsqlParameter<decimal[]> { TypedValue = [.. order.Lines.Select(l => l.UnitPrice)] },
        },
    };
}
