using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Storefront.Api.Data;

namespace Storefront.Api.Catalog;

/// <summary>GET /items/{id}, the catalog's hottest read, behind one seam so each store gets its fastest path.</summary>
public interface IItemReader
{
    /// <summary>The item as of the latest commit.</summary>
    Task<StoredItem?> FindAsync(int id, CancellationToken cancellationToken);

    /// <summary>The item, possibly from a standby within the staleness bound when <paramref name="freshness"/> allows.</summary>
    Task<StoredItem?> FindAsync(int id, ReadFreshness freshness, CancellationToken cancellationToken) => FindAsync(id, cancellationToken);
}

/// <summary>
/// PostgreSQL: one auto-prepared statement on the shared data source. Under load it costs less service CPU per request
/// than EF Core's compiled query on a pooled context (no context rent and reset, query context or materialiser; the
/// figures are in docs/benchmarks-notes.md). Writes and every other read stay in EF Core.
/// </summary>
internal sealed class PostgresItemReader(PostgresSources sources) : IItemReader
{
    // in_stock is Inventory's stock_available view, the one way stock is read outside Inventory/: one join, so
    // the hot read stays one statement (PostgreSQL inlines the view).
    private const string Sql = """
        SELECT i.id, i.name, i.price, i.description, COALESCE(s.available, 0), i.version
        FROM items i LEFT JOIN stock_available s ON s.item_id = i.id WHERE i.id = $1
        """;

    /// <summary>
    /// The items' prices, versions and units available, as one statement of another feature's batch (Orders): a row
    /// (id, price, version, available) per item that exists. One item (most orders) is a plain parameter: with an array
    /// PostgreSQL keeps planning the prepared statement anew for each call (its generic plan guesses a longer list), and
    /// the planning cost several times the query.
    /// </summary>
    public static NpgsqlBatchCommand PricesCommand(int[] ids) => ids.Length == 1
        ? new(PricesSql + "i.id = $1") { Parameters = { new NpgsqlParameter<int> { TypedValue = ids[0] } } }
        : new(PricesSql + "i.id = ANY($1)") { Parameters = { new NpgsqlParameter<int[]> { TypedValue = ids } } };

    private const string PricesSql = """
        SELECT i.id, i.price, i.version, COALESCE(s.available, 0)
        FROM items i LEFT JOIN stock_available s ON s.item_id = i.id WHERE 
        """;

    public Task<StoredItem?> FindAsync(int id, CancellationToken cancellationToken) => FindAsync(id, ReadFreshness.Latest, cancellationToken);

    public async Task<StoredItem?> FindAsync(int id, ReadFreshness freshness, CancellationToken cancellationToken)
    {
        await using var command = sources.For(freshness).CreateCommand(Sql);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = id, NpgsqlDbType = NpgsqlDbType.Integer });
        await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SingleRow, cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        return new StoredItem(reader.GetInt32(0), reader.GetString(1), reader.GetDecimal(2), reader.IsDBNull(3) ? null : reader.GetString(3),
            reader.GetInt32(4), reader.GetInt32(5));
    }
}

/// <summary>
/// SQLite (the embedded default): the same statement on the request's context's connection. Raw rather than LINQ
/// because the stock_available view belongs to Inventory/, which the catalog's model does not map.
/// </summary>
internal sealed class SqliteItemReader(StorefrontDbContext db) : IItemReader
{
    private const string Sql = """
        SELECT i.id, i.name, i.price, i.description, COALESCE(s.available, 0), i.version
        FROM items i LEFT JOIN stock_available s ON s.item_id = i.id WHERE i.id = @id
        """;

    public async Task<StoredItem?> FindAsync(int id, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = Sql;
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@id";
            parameter.Value = id;
            command.Parameters.Add(parameter);
            await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SingleRow, cancellationToken);
            if (!await reader.ReadAsync(cancellationToken)) return null;
            // SQLite keeps prices as EF Core's decimal text; the provider's reader parses it back.
            return new StoredItem(reader.GetInt32(0), reader.GetString(1), reader.GetDecimal(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetInt32(4), reader.GetInt32(5));
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
