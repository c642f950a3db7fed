using System.Data.Common;
using System.Globalization;
using System.Text;
using Storefront.Api.Data;

namespace Storefront.Api.Catalog;

/// <summary>
/// The SQL of GET /items for one store. Keyset conditions are row comparisons, <c>(price, id) &gt; (@key, @id)</c>,
/// which both stores answer as one range of the (sort key, id) index: a page deep in the catalog reads what the first
/// page reads. The two stores differ in three places: prices (numeric on PostgreSQL, TEXT read as REAL on SQLite),
/// name order (COLLATE "C" on PostgreSQL, SQLite's BINARY default: the same code-point order) and search.
/// <para>
/// PostgreSQL's two search statements (<see cref="Walk"/>, <see cref="Indexed"/>) fix their plan's shape in the SQL, so
/// they pass the request's values as sub-selects, <c>(SELECT @q)</c>, which the planner cannot look into. Its
/// estimates then no longer depend on the values, and PostgreSQL keeps one generic plan for each prepared statement:
/// with the values visible it plans again for every execution (a custom plan, estimating the pattern against the
/// column's statistics), a large share of a search's database time (docs/benchmarks-notes.md). A sub-select is also
/// evaluated once per statement, where <c>lower(@q)</c> in a generic plan is evaluated for every row the walk reads.
/// A plain page writes its LIMIT into the SQL instead (<see cref="Window"/>), which is what kept it planned per execution.
/// </para>
/// </summary>
internal sealed class ItemPageSql(DatabaseKind kind)
{
    private readonly string _price = kind == DatabaseKind.Postgres ? "price" : "CAST(price AS REAL)";
    private readonly string _name = kind == DatabaseKind.Postgres ? "name COLLATE \"C\"" : "name";

    /// <summary>The page's query: <paramref name="take"/> rows after the cursor (or after skipping).</summary>
    public void Page(DbCommand command, ItemListQuery query, ItemCursor? after, int take)
    {
        var sql = new StringBuilder("SELECT id, name, price, description FROM items");
        var where = Filters(command, query);
        Keyset(command, query.SortOrder, after, where);
        if (where.Count > 0) sql.Append(" WHERE ").AppendJoin(" AND ", where);
        Window(command, sql, query, take);
        command.CommandText = sql.ToString();
    }

    /// <summary>
    /// PostgreSQL's search by walking the sort order: the next <paramref name="budget"/> rows after the cursor, in page
    /// order, filtered by the search; stops as soon as the page is full. Cheap for a term many names contain, whatever
    /// its estimate; a page short of <paramref name="take"/> rows is either the last or the budget ran out. The walk
    /// reads only what the sort's index holds (its key, the id and the folded name), so it reads no
    /// table rows; the page's rows are then read by id.
    /// </summary>
    public void Walk(DbCommand command, ItemListQuery query, ItemCursor? after, int take, int budget)
    {
        var sort = query.SortOrder;
        var sql = new StringBuilder("SELECT id, name, price, description FROM items WHERE id = ANY(ARRAY(SELECT id FROM (SELECT id, name_folded")
            .Append(sort switch { ItemSort.Price or ItemSort.PriceDescending => ", price", ItemSort.Name => ", name", _ => "" })
            .Append(" FROM items");
        var where = Filters(command, query, search: false);
        Keyset(command, sort, after, where, opaque: true);
        if (where.Count > 0) sql.Append(" WHERE ").AppendJoin(" AND ", where);
        // The LIMIT keeps the search condition out of the subquery: the planner can only walk the sort's index.
        sql.Append(OrderBy(sort)).Append(" LIMIT (SELECT @budget)) AS walked WHERE ").Append(SearchCondition(command, query.Search!, opaque: true));
        Add(command, "budget", budget);
        Window(command, sql, query, take, opaque: true);
        sql.Append("))").Append(OrderBy(sort));
        command.CommandText = sql.ToString();
    }

    /// <summary>
    /// PostgreSQL's search through the trigram index: every match after the cursor, then the page of them in sort order.
    /// Cheap for a term few names contain. MATERIALIZED keeps the sort order out of the search: without it the planner
    /// may walk the sort's index instead, on an estimate of the term's matches that is often far off.
    /// </summary>
    public void Indexed(DbCommand command, ItemListQuery query, ItemCursor? after, int take)
    {
        var sql = new StringBuilder("WITH found AS MATERIALIZED (SELECT id, name, price, description FROM items WHERE ");
        var where = Filters(command, query, search: false);
        where.Insert(0, SearchCondition(command, query.Search!, opaque: true));
        Keyset(command, query.SortOrder, after, where, opaque: true);
        sql.AppendJoin(" AND ", where).Append(") SELECT id, name, price, description FROM found");
        Window(command, sql, query, take, opaque: true);
        command.CommandText = sql.ToString();
    }

    private void Keyset(DbCommand command, ItemSort sort, ItemCursor? after, List<string> where, bool opaque = false)
    {
        if (after is null) return;
        Add(command, "id", after.Id);
        var (key, id) = (Value("key", opaque), Value("id", opaque));
        where.Add(sort switch
        {
            ItemSort.Price => $"({_price}, id) > ({key}, {id})",
            ItemSort.PriceDescending => $"({_price}, id) < ({key}, {id})",
            ItemSort.Name => $"({_name}, id) > ({key}, {id})",
            _ => $"id > {id}",
        });
        if (sort is ItemSort.Price or ItemSort.PriceDescending) AddPrice(command, "key", after.Price);
        else if (sort == ItemSort.Name) Add(command, "key", after.Name!);
    }

    private string OrderBy(ItemSort sort) => sort switch
    {
        ItemSort.Price => $" ORDER BY {_price}, id",
        ItemSort.PriceDescending => $" ORDER BY {_price} DESC, id DESC",
        ItemSort.Name => $" ORDER BY {_name}, id",
        _ => " ORDER BY id",
    };

    // ORDER BY, LIMIT and OFFSET of a page. A plain page's LIMIT is written into the SQL: the planner must see it to
    // walk the sort's index (an unknown LIMIT is planned as a tenth of the table, which for an unclustered sort means
    // a full scan and a sort), and as a parameter it made PostgreSQL plan every execution again (the class's remarks).
    // A client keeps to a few page sizes, so a few statements per sort. A price range stays a visible parameter, so
    // PostgreSQL still plans a page with one for its range.
    private void Window(DbCommand command, StringBuilder sql, ItemListQuery query, int take, bool opaque = false)
    {
        sql.Append(OrderBy(query.SortOrder)).Append(" LIMIT ");
        if (opaque)
        {
            sql.Append(Value("take", opaque: true));
            Add(command, "take", take);
        }
        else sql.Append(take.ToString(CultureInfo.InvariantCulture));
        if (query.Skip > 0)
        {
            sql.Append(" OFFSET ").Append(Value("skip", opaque));
            Add(command, "skip", query.Skip);
        }
    }

    /// <summary>Counts the query's items, reading at most <paramref name="cap"/> of them (null: no bound).</summary>
    public void Count(DbCommand command, ItemListQuery query, int? cap)
    {
        var where = Filters(command, query);
        var filter = where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "";
        if (cap is null)
        {
            command.CommandText = $"SELECT count(*) FROM items{filter}";
            return;
        }
        command.CommandText = $"SELECT count(*) FROM (SELECT 1 FROM items{filter} LIMIT {cap.Value.ToString(CultureInfo.InvariantCulture)}) AS bounded";
    }

    /// <summary>PostgreSQL's planner estimate of the query's rows (<c>EXPLAIN</c> reads statistics, not rows).</summary>
    public void Estimate(DbCommand command, ItemListQuery query)
    {
        var where = Filters(command, query);
        var filter = where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "";
        command.CommandText = $"EXPLAIN (FORMAT JSON) SELECT 1 FROM items{filter}";
    }

    private List<string> Filters(DbCommand command, ItemListQuery query, bool search = true)
    {
        var where = new List<string>(4);
        if (search && query.Search is { } text) where.Add(SearchCondition(command, text));
        if (query.MinPrice is { } min)
        {
            where.Add($"{_price} >= @min_price");
            AddPrice(command, "min_price", min);
        }
        if (query.MaxPrice is { } max)
        {
            where.Add($"{_price} <= @max_price");
            AddPrice(command, "max_price", max);
        }
        return where;
    }

    private string SearchCondition(DbCommand command, string search, bool opaque = false)
    {
        if (kind == DatabaseKind.Postgres)
        {
            // name_folded is lower(name), kept by the database; lower() of the pattern too is what ILIKE does. The
            // trigram index is on name_folded; the client's %, _ and \ are literal characters, not patterns.
            Add(command, "q", $"%{EscapeLike(search)}%");
            return opaque ? "name_folded LIKE (SELECT lower(@q))" : "name_folded LIKE lower(@q)";
        }
        // SQLite's lower() folds ASCII only: so does the search text, so both sides fold alike.
        Add(command, "q", AsciiLower(search));
        return "instr(lower(name), @q) > 0";
    }

    // A parameter as the planner may see it, or hidden from it (the class's remarks).
    private static string Value(string parameter, bool opaque) => opaque ? $"(SELECT @{parameter})" : "@" + parameter;

    private void AddPrice(DbCommand command, string name, decimal price)
    {
        if (kind == DatabaseKind.Postgres) Add(command, name, price);
        else Add(command, name, (double)price);
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    private static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    private static string AsciiLower(string text) =>
        string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++) span[i] = char.IsAsciiLetterUpper(source[i]) ? (char)(source[i] | 0x20) : source[i];
        });
}
