using Microsoft.Extensions.Time.Testing;
using Storefront.Api.Catalog;
using System.Text.Json;
using Npgsql;
using Storefront.Api.Data;

namespace Storefront.Tests.Catalog;

/// <summary>
/// Search over the generated catalog (<c>seed --items</c>), checked against the catalog itself read page by page
/// without a search: every match exactly once and in order, for a common, a less common and a rare term and every
/// sort, whichever way the store finds them. PostgreSQL walks the sort order for a page first and turns to the trigram
/// index when the walk's budget runs out; its classes here run with the default budget and with one so small that
/// most pages fall back, and a term the walk failed is then remembered.
/// </summary>
public abstract class SearchPathTests(StorefrontFactory factory) : StaffClientTests(factory)
{
    private const int CatalogSize = 3_000;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        var seed = Factory.Services.GetServices<IBulkSampleData>().Single(s => s.OptionName == "items");
        await seed.SeedToAsync(CatalogSize, CancellationToken.None);
    }

    [Theory]
    [InlineData("ic ", 50)]       // "Ergonomic ", "Classic ", "Basic ": 1 item in 4
    [InlineData("ic desk", 7)]    // those three adjectives and one noun of 24: about 1 item in 100
    [InlineData("BASIC LAMP", 3)] // one adjective of 12 and one noun: about 1 in 290, in capitals
    [InlineData("1234", 1)]       // one item
    public async Task Paging_a_search_by_cursor_returns_every_match_once_in_order_for_every_sort(string term, int limit)
    {
        var catalog = await CatalogAsync();
        var matches = catalog.Where(i => i.Name.Contains(term, StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.NotEmpty(matches);
        foreach (var sort in new[] { "id", "price", "-price", "name" })
        {
            var expected = Sorted(matches, sort).Select(i => i.Id).ToList();
            var seen = new List<int>();
            string? next = null;
            do
            {
                var page = await PageAsync($"/items?q={Uri.EscapeDataString(term)}&sort={Uri.EscapeDataString(sort)}&limit={limit}"
                                           + (next is null ? "" : $"&after={Uri.EscapeDataString(next)}"));
                Assert.InRange(page.Items.Count, 1, limit);
                seen.AddRange(page.Items.Select(i => i.Id));
                next = page.Next;
            }
            while (next is not null && seen.Count <= matches.Count);
            Assert.Equal(expected, seen);
        }
    }

    [Fact]
    public async Task A_skip_page_of_a_search_holds_the_matches_at_that_offset()
    {
        var catalog = await CatalogAsync();
        var expected = catalog.Where(i => i.Name.Contains("ic desk", StringComparison.OrdinalIgnoreCase)).OrderBy(i => i.Id).Skip(5).Take(4).Select(i => i.Id);
        Assert.Equal(expected, (await PageAsync("/items?q=ic%20desk&skip=5&limit=4")).Items.Select(i => i.Id));
    }

    [Fact]
    public async Task Percent_and_underscore_are_characters_whichever_way_the_page_is_found()
    {
        var token = $"pct{Guid.NewGuid():N}"[..12];
        var literal = new List<int>();
        for (var i = 0; i < 3; i++) literal.Add(await CreateAsync($"{token} 5%_off {i}", 10m + i));

        // In price order these are among the first rows, so a walk finds enough of them to fill a page of 2; as patterns,
        // "_" and "%" would match them all.
        Assert.Equal(literal[..2], (await PageAsync($"/items?q={Uri.EscapeDataString($"{token} 5%_")}&sort=price&limit=2")).Items.Select(i => i.Id));
        Assert.Empty((await PageAsync($"/items?q={Uri.EscapeDataString($"{token} 5__off")}&sort=price&limit=2")).Items);
        Assert.Empty((await PageAsync($"/items?q={Uri.EscapeDataString($"{token} %off")}&sort=price&limit=2")).Items);
        Assert.Equal(literal, (await PageAsync($"/items?q={Uri.EscapeDataString($"{token.ToUpperInvariant()} 5%_OFF")}&limit=10")).Items.Select(i => i.Id));
    }

    /// <summary>The whole catalog, in id order, through plain cursor pages (no search involved).</summary>
    private async Task<List<ItemResponse>> CatalogAsync()
    {
        var all = new List<ItemResponse>();
        string? next = null;
        do
        {
            var page = await PageAsync("/items?limit=100" + (next is null ? "" : $"&after={Uri.EscapeDataString(next)}"));
            all.AddRange(page.Items);
            next = page.Next;
        }
        while (next is not null);
        Assert.True(all.Count >= CatalogSize);
        return all;
    }

    private static IEnumerable<ItemResponse> Sorted(IEnumerable<ItemResponse> items, string sort) => sort switch
    {
        "price" => items.OrderBy(i => i.Price).ThenBy(i => i.Id),
        "-price" => items.OrderByDescending(i => i.Price).ThenByDescending(i => i.Id),
        "name" => items.OrderBy(i => i.Name, StringComparer.Ordinal).ThenBy(i => i.Id),
        _ => items.OrderBy(i => i.Id),
    };

    private async Task<(List<ItemResponse> Items, string? Next)> PageAsync(string url)
    {
        var page = await Staff.GetItemsAsync(url);
        return ([.. page.Items.Select(i => i with { Description = null })], page.Next);
    }

    private Task<int> CreateAsync(string name, decimal price) => Staff.CreateItemAsync(name, price);
}

[ServerFree]
public sealed class SqliteSearchPathTests(SqliteStorefrontFactory factory) : SearchPathTests(factory), IClassFixture<SqliteStorefrontFactory>;

public sealed class PostgresSearchPathTests(PostgresStorefrontFactory factory) : SearchPathTests(factory), IClassFixture<PostgresStorefrontFactory>
{
    [Fact]
    public async Task A_term_the_walk_serves_is_not_held_sparse_and_one_it_cannot_is()
    {
        using var client = factory.CreateClient();
        var sparse = factory.Services.GetRequiredService<SparseSearchTerms>();
        // "Wireless ": 1 item in 12, so a page of 20 is found within a few hundred rows.
        await (await client.GetAsync("/items?q=less%20&limit=20")).ShouldBeJsonAsync();
        Assert.False(sparse.Contains("less ", ItemSort.Id));
        // Its one match lies far beyond a walk of 200 rows per row of the page.
        var rare = await client.GetItemsAsync("/items?q=Basic%20lamp%202674&limit=1");
        Assert.Equal("Basic lamp 2674", Assert.Single(rare.Items).Name);
        Assert.True(sparse.Contains("basic LAMP 2674", ItemSort.Id));
        Assert.False(sparse.Contains("basic lamp 2674", ItemSort.Price));
    }
}

/// <summary>
/// The walk's cost is the rows it passes over, a hundred or so per match of a 1% term: it must pass over them in the
/// sort's index alone. Fails when the walk reads a column its index does not hold, or the index loses the folded name.
/// </summary>
public sealed class PostgresSearchWalkPlanTests(PostgresStorefrontFactory factory) : IClassFixture<PostgresStorefrontFactory>
{
    [Theory]
    [InlineData(null)]
    [InlineData("price")]
    [InlineData("-price")]
    [InlineData("name")]
    public async Task The_walk_reads_the_sort_index_alone(string? sort)
    {
        using var client = factory.CreateClient();
        await (await client.GetAsync("/items?limit=1")).ShouldBeJsonAsync();
        await using var connection = new NpgsqlConnection(factory.Database.ConnectionString);
        await connection.OpenAsync();
        // All-visible pages, as autovacuum leaves them; and no sequential scan, which a catalog this small would get.
        await using (var vacuum = new NpgsqlCommand("VACUUM items", connection)) await vacuum.ExecuteNonQueryAsync();
        await using (var settings = new NpgsqlCommand("SET enable_seqscan = off; SET enable_bitmapscan = off", connection))
            await settings.ExecuteNonQueryAsync();

        await using var explain = connection.CreateCommand();
        var query = new ItemListQuery(Limit: 20, Q: "ic desk", Sort: sort);
        new ItemPageSql(DatabaseKind.Postgres).Walk(explain, query, after: null, take: 21, budget: 4_200);
        explain.CommandText = "EXPLAIN (FORMAT JSON) " + explain.CommandText;
        using var plan = JsonDocument.Parse((string)(await explain.ExecuteScalarAsync())!);

        var walk = Nodes(plan.RootElement[0].GetProperty("Plan")).Single(n => n.GetProperty("Node Type").GetString() == "Subquery Scan");
        var scans = Nodes(walk).Skip(1).Select(n => n.GetProperty("Node Type").GetString()!).Where(t => t.EndsWith("Scan", StringComparison.Ordinal)).ToList();
        Assert.True(scans is ["Index Only Scan"], string.Join("; ", scans));
    }

    private static IEnumerable<JsonElement> Nodes(JsonElement node)
    {
        yield return node;
        if (!node.TryGetProperty("Plans", out var children)) yield break;
        foreach (var child in children.EnumerateArray())
            foreach (var n in Nodes(child)) yield return n;
    }
}

/// <summary>
/// The page statements' plan cache, in a database of its own: the catalog it seeds would leave the walk plan test's
/// table with pages not yet all-visible.
/// </summary>
public sealed class PostgresPagePlanCacheTests(PostgresStorefrontFactory factory) : IClassFixture<PostgresStorefrontFactory>
{
    /// <summary>
    /// The search statements fix their plan's shape in the SQL, so PostgreSQL must not plan them again per term: after
    /// its first five executions of a prepared statement (always custom plans) it keeps the generic one. Fails when a
    /// value the planner can see (the pattern, a LIMIT) makes the custom plan look cheaper, as it did before.
    /// </summary>
    [Theory]
    [InlineData(null)]
    [InlineData("-price")]
    public async Task The_search_statements_keep_one_generic_plan_whatever_the_term(string? sort)
    {
        await using var connection = await SessionAsync();
        var sql = new ItemPageSql(DatabaseKind.Postgres);
        // Rare terms and a walk of 1% of the catalog: what a custom plan would estimate cheaper than the generic one.
        var terms = new[] { "12345", "lamp 19", "1234", "no such item", "desk 1", "BASIC chair 1", "chair 2", "x" };
        for (var i = 0; i < terms.Length; i++)
        {
            var query = new ItemListQuery(Limit: 20, Q: terms[i], Sort: sort);
            // First pages and pages after a cursor (other statements): its key is another value not to plan for.
            foreach (var after in new[] { null, Cursor(query.SortOrder, 2_400 * (i + 1)) })
            {
                await ExecutePreparedAsync(connection, command => sql.Walk(command, query, after, take: 21, budget: 200));
                await ExecutePreparedAsync(connection, command => sql.Indexed(command, query, after, take: 21));
            }
        }
        await AssertGenericPlansAsync(connection, statements: 4);
    }

    /// <summary>
    /// The plain pages, every sort, first pages and pages after a cursor: the same, so that a page is planned once, not at
    /// every request. Fails when the LIMIT is a parameter again (the planner then plans each execution for its value).
    /// </summary>
    [Theory]
    [InlineData(null)]
    [InlineData("price")]
    [InlineData("-price")]
    [InlineData("name")]
    public async Task The_page_statements_keep_one_generic_plan_wherever_the_page_starts(string? sort)
    {
        await using var connection = await SessionAsync();
        var sql = new ItemPageSql(DatabaseKind.Postgres);
        var query = new ItemListQuery(Limit: 20, Sort: sort);
        for (var i = 1; i <= 8; i++)
        {
            await ExecutePreparedAsync(connection, command => sql.Page(command, query, after: null, take: 21));
            await ExecutePreparedAsync(connection, command => sql.Page(command, query, Cursor(query.SortOrder, 2_400 * i), take: 21));
        }
        await AssertGenericPlansAsync(connection, statements: 2);
    }

    /// <summary>
    /// A price range is planned per execution, whatever the LIMIT: a narrow range must not get a plan learnt on wide ones.
    /// Fails when the range is hidden from the planner like the search's values.
    /// </summary>
    [Fact]
    public async Task A_page_with_a_price_range_is_planned_for_its_range()
    {
        await using var connection = await SessionAsync();
        var sql = new ItemPageSql(DatabaseKind.Postgres);
        for (var i = 1; i <= 8; i++)
        {
            var query = new ItemListQuery(Limit: 20, Sort: "name", MinPrice: i, MaxPrice: i == 8 ? i + 0.5m : 10_000m);
            await ExecutePreparedAsync(connection, command => sql.Page(command, query, after: null, take: 21));
        }
        await using var plans = new NpgsqlCommand("SELECT generic_plans, custom_plans FROM pg_prepared_statements", connection);
        await using var reader = await plans.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal((0L, 8L), (reader.GetInt64(0), reader.GetInt64(1)));
    }

    // A session of its own, on a catalog big enough for the values' estimates to differ: prepared statements live as
    // long as the server's session, which a pool would share with other tests.
    private async Task<NpgsqlConnection> SessionAsync()
    {
        var seed = factory.Services.GetServices<IBulkSampleData>().Single(s => s.OptionName == "items");
        await seed.SeedToAsync(20_000, CancellationToken.None);
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(factory.Database.ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var analyze = new NpgsqlCommand("ANALYZE items", connection);
        await analyze.ExecuteNonQueryAsync();
        return connection;
    }

    private static ItemCursor Cursor(ItemSort sort, int id) => new(sort, id, Price: 1m + id % 997, Name: $"Classic desk {id}");

    private static async Task AssertGenericPlansAsync(NpgsqlConnection connection, int statements)
    {
        await using var plans = new NpgsqlCommand("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements", connection);
        await using var reader = await plans.ExecuteReaderAsync();
        var seen = new List<string>();
        while (await reader.ReadAsync())
        {
            var (statement, generic, custom) = (reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2));
            seen.Add(statement);
            Assert.True(generic >= 3 && custom <= 5, $"{generic} generic and {custom} custom plans: {statement}");
        }
        Assert.Equal(statements, seen.Count);
    }

    private static async Task ExecutePreparedAsync(NpgsqlConnection connection, Action<NpgsqlCommand> build)
    {
        await using var command = connection.CreateCommand();
        build(command);
        await command.PrepareAsync();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) { }
    }
}

/// <summary>PostgreSQL with a walk of 3 rows per row of the page: most pages come from the index, some from the walk.</summary>
public sealed class PostgresNarrowWalkSearchPathTests : SearchPathTests, IClassFixture<PostgresStorefrontFactory>
{
    public PostgresNarrowWalkSearchPathTests(PostgresStorefrontFactory factory) : base(factory.With("Catalog:SearchWalkRows", "3")) { }
}

[ServerFree]
public sealed class SparseSearchTermsTests
{
    [Fact]
    public void A_term_is_held_per_sort_whatever_its_case_until_it_expires()
    {
        var time = new FakeTimeProvider();
        var sparse = new SparseSearchTerms(time);
        sparse.Add("Lamp", ItemSort.Id);
        Assert.True(sparse.Contains("LAMP", ItemSort.Id));
        Assert.False(sparse.Contains("lamp", ItemSort.Name));
        time.Advance(SparseSearchTerms.Lifetime - TimeSpan.FromSeconds(1));
        Assert.True(sparse.Contains("lamp", ItemSort.Id));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(sparse.Contains("lamp", ItemSort.Id));
    }

    [Fact]
    public void When_full_it_starts_over()
    {
        var sparse = new SparseSearchTerms(new FakeTimeProvider());
        for (var i = 0; i < SparseSearchTerms.Capacity; i++) sparse.Add($"term {i}", ItemSort.Id);
        Assert.True(sparse.Contains("term 0", ItemSort.Id));
        sparse.Add("one more", ItemSort.Id);
        Assert.False(sparse.Contains("term 0", ItemSort.Id));
        Assert.True(sparse.Contains("one more", ItemSort.Id));
    }
}
