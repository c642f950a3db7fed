using System.Data.Common;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Npgsql;
using Storefront.Api.Data;

namespace Storefront.Api.Catalog;

/// <summary>One page of GET /items and, when asked, how many items the query has.</summary>
public sealed record ItemPage(IReadOnlyList<ItemResponse> Items, ItemCursor? Next);

/// <summary>A total and whether it is PostgreSQL's estimate rather than a count.</summary>
public readonly record struct ItemTotal(long Count, bool IsEstimate);

/// <summary>GET /items on one store, in plain SQL (<see cref="ItemPageSql"/>): the list is a hot read, as is the item.</summary>
public abstract class ItemPages
{
    private readonly ItemPageSql _sql;

    private protected ItemPages(DatabaseKind kind) => _sql = new ItemPageSql(kind);

    /// <summary>Below this many items a count is cheap enough to give exactly; above it PostgreSQL's estimate is used.</summary>
    public const int ExactTotalLimit = 10_000;

    public async Task<ItemPage> ReadAsync(ItemListQuery query, ItemCursor? after, ReadFreshness freshness, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(freshness, cancellationToken);
        // One row more than the page says whether there is a next page, without a count.
        var items = await ReadRowsAsync(connection, query, after, query.Limit + 1, cancellationToken);
        if (items.Count <= query.Limit) return new ItemPage(items, null);
        items.RemoveAt(items.Count - 1);
        return new ItemPage(items, ItemCursor.After(query.SortOrder, items[^1]));
    }

    /// <summary>The page's rows, <paramref name="take"/> at most: one query, unless the store searches in steps.</summary>
    private protected virtual Task<List<ItemResponse>> ReadRowsAsync(DbConnection connection, ItemListQuery query, ItemCursor? after, int take,
        CancellationToken cancellationToken) =>
        RowsAsync(connection, (command, sql) => sql.Page(command, query, after, take), take, cancellationToken);

    private protected async Task<List<ItemResponse>> RowsAsync(DbConnection connection, Action<DbCommand, ItemPageSql> build, int take,
        CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        build(command, _sql);
        var items = new List<ItemResponse>(take);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            items.Add(new ItemResponse(reader.GetInt32(0), reader.GetString(1), reader.GetDecimal(2), reader.IsDBNull(3) ? null : reader.GetString(3)));
        return items;
    }

    public abstract Task<ItemTotal> CountAsync(ItemListQuery query, ReadFreshness freshness, CancellationToken cancellationToken);

    /// <summary>A connection for a read of this freshness (with a standby, a tolerant read may get one to it).</summary>
    private protected abstract ValueTask<DbConnection> OpenAsync(ReadFreshness freshness, CancellationToken cancellationToken);

    private protected async Task<long> ScalarAsync(DbConnection connection, Action<DbCommand, ItemPageSql> build, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        build(command, _sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    private protected async Task<long> EstimateAsync(DbConnection connection, ItemListQuery query, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        _sql.Estimate(command, query);
        var plan = (string)(await command.ExecuteScalarAsync(cancellationToken))!;
        using var document = JsonDocument.Parse(plan);
        return (long)document.RootElement[0].GetProperty("Plan").GetProperty("Plan Rows").GetDouble();
    }
}

/// <summary>
/// PostgreSQL: the shared data source's pool. Totals never read the whole catalog: a count is exact while it stays
/// under <see cref="ItemPages.ExactTotalLimit"/> rows, and beyond that the total is the planner's estimate.
/// </summary>
internal sealed class PostgresItemPages(PostgresSources sources, IOptions<CatalogOptions> options, SparseSearchTerms sparse)
    : ItemPages(DatabaseKind.Postgres)
{
    /// <summary>
    /// A search in two steps, so that neither a common nor a rare term reads much. First a walk of the page's sort order
    /// that reads at most <see cref="CatalogOptions.SearchWalkRows"/> rows per row of the page: a term in one name of
    /// that many or more fills its page within the walk, which stops as soon as it does. A page the walk leaves short
    /// comes from the trigram index instead, which reads only the matches: few, for a term the walk could not serve.
    /// The planner would choose between the two by its estimate of the term's matches, which is often far off (both
    /// ways: docs/benchmarks-notes.md); the walk's bound is what the choice rests on here, and a term the walk failed
    /// goes to the index first for a while (<see cref="SparseSearchTerms"/>).
    /// </summary>
    private protected override async Task<List<ItemResponse>> ReadRowsAsync(DbConnection connection, ItemListQuery query, ItemCursor? after,
        int take, CancellationToken cancellationToken)
    {
        if (query.Search is not { } term) return await base.ReadRowsAsync(connection, query, after, take, cancellationToken);
        List<ItemResponse>? walked = null;
        if (!sparse.Contains(term, query.SortOrder))
        {
            var budget = (int)Math.Min(int.MaxValue, (long)(query.Skip + take) * options.Value.SearchWalkRows);
            walked = await RowsAsync(connection, (command, sql) => sql.Walk(command, query, after, take, budget), take, cancellationToken);
            if (walked.Count == take) return walked;
        }
        // Short: the last page, or the budget ran out first. Only the index can tell which, and it answers both alike.
        var found = await RowsAsync(connection, (command, sql) => sql.Indexed(command, query, after, take), take, cancellationToken);
        if (walked is not null && found.Count > walked.Count) sparse.Add(term, query.SortOrder);
        return found;
    }

    public override async Task<ItemTotal> CountAsync(ItemListQuery query, ReadFreshness freshness, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(freshness, cancellationToken);
        // The estimate first (statistics only, no rows read): when it is large, that is the answer.
        var estimate = query.HasFilter
            ? await EstimateAsync(connection, query, cancellationToken)
            : await ScalarAsync(connection, (c, _) => c.CommandText = "SELECT reltuples::bigint FROM pg_class WHERE oid = 'items'::regclass", cancellationToken);
        if (estimate >= ExactTotalLimit) return new ItemTotal(estimate, IsEstimate: true);
        // Small (or never analysed, reltuples -1): count, but read no more than the limit's worth of rows.
        var counted = await ScalarAsync(connection, (c, sql) => sql.Count(c, query, ExactTotalLimit + 1), cancellationToken);
        return counted <= ExactTotalLimit ? new ItemTotal(counted, IsEstimate: false) : new ItemTotal(Math.Max(estimate, counted), IsEstimate: true);
    }

    private protected override async ValueTask<DbConnection> OpenAsync(ReadFreshness freshness, CancellationToken cancellationToken) =>
        await sources.For(freshness).OpenConnectionAsync(cancellationToken);
}

/// <summary>SQLite (the embedded store): has no estimate, so its totals are exact counts.</summary>
internal sealed class SqliteItemPages(DatabaseProvider provider) : ItemPages(DatabaseKind.Sqlite)
{
    public override async Task<ItemTotal> CountAsync(ItemListQuery query, ReadFreshness freshness, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(freshness, cancellationToken);
        return new ItemTotal(await ScalarAsync(connection, (c, sql) => sql.Count(c, query, cap: null), cancellationToken), IsEstimate: false);
    }

    private protected override async ValueTask<DbConnection> OpenAsync(ReadFreshness freshness, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(provider.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }
}
