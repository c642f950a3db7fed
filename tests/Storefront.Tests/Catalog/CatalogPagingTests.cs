using Storefront.Api.Data;

namespace Storefront.Tests.Catalog;

/// <summary>
/// GET /items at scale: keyset cursors, search, sort, price range and totals, once per store. Each test
/// names its items with a token of its own and lists them with ?q=token, so other tests' items never show.
/// </summary>
public abstract class CatalogPagingTests(StorefrontFactory factory) : StaffClientTests(factory)
{
    private readonly string _token = $"tok{Guid.NewGuid():N}"[..15];

    protected abstract bool TotalsAreEstimatedWhenLarge { get; }

    [Theory]
    [InlineData("id")]
    [InlineData("price")]
    [InlineData("-price")]
    [InlineData("name")]
    public async Task Cursor_pages_neither_skip_nor_repeat_while_items_are_inserted_and_deleted(string sort)
    {
        var created = new Dictionary<int, (string Name, decimal Price)>();
        for (var i = 0; i < 12; i++)
        {
            // Three items share each price, so the id has to break ties.
            var (name, price) = ($"{(char)('a' + (i * 5 % 12))} {_token} {i}", 10m + i / 3);
            created[await CreateAsync(name, price)] = (name, price);
        }

        var seen = new List<int>();
        var deleted = new HashSet<int>();
        var inserted = new HashSet<int>();
        string? next = null;
        for (var page = 0; page < 10; page++)
        {
            var (ids, cursor) = await PageAsync($"/items?q={_token}&sort={Uri.EscapeDataString(sort)}&limit=4" + (next is null ? "" : $"&after={next}"));
            seen.AddRange(ids);
            if (cursor is null) break;
            next = cursor;

            // Between pages: delete one item already shown and one not yet shown, and add one.
            var unseen = created.Keys.Except(seen).Except(deleted).FirstOrDefault();
            foreach (var id in new[] { seen[0], unseen }.Where(id => id != 0 && deleted.Add(id)))
                Assert.Equal(HttpStatusCode.NoContent, (await Staff.DeleteAsync($"/items/{id}")).StatusCode);
            inserted.Add(await CreateAsync($"m {_token} new{page}", 11m));
        }

        Assert.Null(next is null ? null : (await PageAsync($"/items?q={_token}&sort={Uri.EscapeDataString(sort)}&limit=4&after={next}")).Next);
        Assert.Equal(seen.Count, seen.Distinct().Count()); // nothing repeated
        var stayed = created.Keys.Where(id => !deleted.Contains(id));
        Assert.Subset(seen.ToHashSet(), stayed.ToHashSet()); // nothing that stayed was skipped
        Assert.Empty(seen.Except(created.Keys).Except(inserted));
    }

    [Fact]
    public async Task Pages_come_in_the_asked_order_with_the_id_breaking_ties()
    {
        var items = new List<(int Id, string Name, decimal Price)>();
        foreach (var (name, price) in new[] { ("beta", 5m), ("Zeta", 2m), ("alpha", 5m), ("Gamma", 9.5m), ("ähm", 2m) })
        {
            var full = $"{name} {_token}";
            items.Add((await CreateAsync(full, price), full, price));
        }

        async Task<List<int>> All(string sort) => (await PageAsync($"/items?q={_token}&sort={sort}&limit=100")).Ids;
        Assert.Equal(items.OrderBy(i => i.Id).Select(i => i.Id), await All("id"));
        Assert.Equal(items.OrderBy(i => i.Price).ThenBy(i => i.Id).Select(i => i.Id), await All("price"));
        Assert.Equal(items.OrderByDescending(i => i.Price).ThenByDescending(i => i.Id).Select(i => i.Id), await All("-price"));
        // Code-point order on both stores: capitals first, "ä" after every ASCII letter.
        Assert.Equal(items.OrderBy(i => i.Name, StringComparer.Ordinal).ThenBy(i => i.Id).Select(i => i.Id), await All("name"));
    }

    [Fact]
    public async Task Search_matches_a_substring_of_the_name_whatever_its_case()
    {
        var lamp = await CreateAsync($"Desk LAMP-{_token}", 30m);
        var lampshade = await CreateAsync($"lamp-{_token}shade", 12m);
        await CreateAsync($"chair-{_token}", 90m);
        var literal = await CreateAsync($"{_token} 100%_cotton", 15m);
        await CreateAsync($"{_token} 1000 cotton", 15m);

        Assert.Equal([lamp, lampshade], (await PageAsync($"/items?q=Lamp-{_token.ToUpperInvariant()}&limit=100")).Ids);
        Assert.Equal([lampshade], (await PageAsync($"/items?q={_token}SHADE&limit=100")).Ids);
        // %, _ and \ are characters to find, not patterns.
        Assert.Equal([literal], (await PageAsync($"/items?q={Uri.EscapeDataString($"{_token} 100%_")}&limit=100")).Ids);
        Assert.Empty((await PageAsync($"/items?q={Uri.EscapeDataString($"{_token} 1_0")}&limit=100")).Ids);
        Assert.Empty((await PageAsync($"/items?q={Uri.EscapeDataString($"\\{_token}")}&limit=100")).Ids);
    }

    [Fact]
    public async Task Price_range_includes_both_ends()
    {
        var ids = new List<int>();
        foreach (var price in new[] { 1m, 2.5m, 4m, 7.99m, 8m }) ids.Add(await CreateAsync($"{_token} {price}", price));
        Assert.Equal(ids[1..4], (await PageAsync($"/items?q={_token}&min_price=2.5&max_price=7.99&sort=price")).Ids);
        Assert.Equal(ids[3..], (await PageAsync($"/items?q={_token}&min_price=5")).Ids);
    }

    [Fact]
    public async Task A_tampered_or_foreign_cursor_is_a_400_naming_after()
    {
        for (var i = 0; i < 3; i++) await CreateAsync($"{_token} {i}", 3m + i);
        var next = (await PageAsync($"/items?q={_token}&sort=price&limit=1")).Next!;

        var flipped = (next[5] == 'A' ? 'B' : 'A');
        await (await Staff.GetAsync($"/items?q={_token}&sort=price&limit=1&after={next[..5]}{flipped}{next[6..]}")).ShouldBeValidationProblemAsync("after");
        await (await Staff.GetAsync($"/items?q={_token}&sort=price&limit=1&after={next[..^2]}")).ShouldBeValidationProblemAsync("after");
        await (await Staff.GetAsync($"/items?q={_token}&sort=price&after=not-a-cursor!")).ShouldBeValidationProblemAsync("after");
        // A cursor belongs to its query: another sort, search or price range refuses it.
        await (await Staff.GetAsync($"/items?q={_token}&sort=-price&after={next}")).ShouldBeValidationProblemAsync("after");
        await (await Staff.GetAsync($"/items?q={_token}x&sort=price&after={next}")).ShouldBeValidationProblemAsync("after");
        await (await Staff.GetAsync($"/items?q={_token}&sort=price&min_price=1&after={next}")).ShouldBeValidationProblemAsync("after");
        await (await Staff.GetAsync($"/items?q={_token}&sort=price&skip=1&after={next}")).ShouldBeValidationProblemAsync("after");
        // The untouched cursor still works.
        Assert.Single((await PageAsync($"/items?q={_token}&sort=price&limit=1&after={next}")).Ids);
    }

    [Theory]
    [InlineData("skip=10001", "skip")]
    [InlineData("sort=cheapest", "sort")]
    [InlineData("sort=Price", "sort")]
    [InlineData("min_price=abc", "min_price")]
    [InlineData("min_price=-1", "min_price")]
    [InlineData("min_price=5&max_price=4", "max_price")]
    [InlineData("max_price=1e3", "max_price")]
    [InlineData("include_total=maybe", "include_total")]
    [InlineData("q=a&q=b", "q")]
    [InlineData("q=a%00b", "q")]
    [InlineData("limit=101&after=x", "limit")]
    public async Task Bad_list_parameters_are_a_400_naming_the_parameter(string query, string field)
    {
        await (await Staff.GetAsync($"/items?{query}")).ShouldBeValidationProblemAsync(field);
    }

    [Fact]
    public async Task Skip_beyond_the_maximum_points_to_the_cursor_and_the_maximum_itself_works()
    {
        var problem = await (await Staff.GetAsync("/items?skip=10001")).ShouldBeValidationProblemAsync("skip");
        Assert.Contains("after", problem.Errors!["skip"][0], StringComparison.Ordinal);
        Assert.Equal(10000, (await Staff.GetItemsAsync("/items?skip=10000&limit=5")).Skip);
    }

    [Fact]
    public async Task Totals_come_only_when_asked_except_in_the_seed_form()
    {
        for (var i = 0; i < 3; i++) await CreateAsync($"{_token} {i}", 1m + i);

        // Whether the total members are there at all is the point: read as JSON, not as a record that would default them.
        var seedForm = await (await Staff.GetAsync("/items?skip=0&limit=2")).ShouldBeJsonAsync();
        Assert.True(seedForm.TryGetProperty("total", out _));
        Assert.NotNull(seedForm.Deserialize<ItemPageAnswer>(HttpAssertions.Answers)!.Next);

        var search = await (await Staff.GetAsync($"/items?q={_token}&limit=2")).ShouldBeJsonAsync();
        Assert.False(search.TryGetProperty("total", out _));
        Assert.False(search.TryGetProperty("total_is_estimate", out _));

        var counted = await Staff.GetItemsAsync($"/items?q={_token}&limit=2&include_total=true");
        Assert.Equal((3, false), (counted.Total, counted.TotalIsEstimate));

        var last = await Staff.GetItemsAsync($"/items?q={_token}&limit=2&after={counted.Next}");
        Assert.Single(last.Items);
        Assert.Null(last.Next);

        var none = await (await Staff.GetAsync("/items?include_total=false")).ShouldBeJsonAsync();
        Assert.False(none.TryGetProperty("total", out _));
    }

    [Fact]
    public async Task A_large_catalog_gives_an_estimate_on_PostgreSQL_and_a_count_on_SQLite()
    {
        var seed = Factory.Services.GetServices<IBulkSampleData>().Single(s => s.OptionName == "items");
        await seed.SeedToAsync(12_500, CancellationToken.None);

        var page = await Staff.GetItemsAsync("/items?limit=1&include_total=true");
        var total = page.Total ?? throw new Xunit.Sdk.XunitException("no total");
        Assert.Equal(TotalsAreEstimatedWhenLarge, page.TotalIsEstimate);
        if (TotalsAreEstimatedWhenLarge) Assert.InRange(total, 10_000, 20_000); // the planner's statistics, not a count
        else Assert.InRange(total, 12_500, 12_600);

        // A search under the exact limit is still counted exactly.
        await CreateAsync($"{_token} one", 1m);
        var search = await Staff.GetItemsAsync($"/items?q={_token}&include_total=true");
        Assert.Equal((1, false), (search.Total, search.TotalIsEstimate));

        // Deep pages by cursor reach the end of the generated catalog.
        Assert.Equal(3, (await Staff.GetItemsAsync("/items?sort=-price&limit=3")).Items.Count);
    }

    private async Task<(List<int> Ids, string? Next)> PageAsync(string url)
    {
        var page = await Staff.GetItemsAsync(url);
        return ([.. page.Items.Select(i => i.Id)], page.Next);
    }

    private Task<int> CreateAsync(string name, decimal price) => Staff.CreateItemAsync(name, price);
}

[ServerFree]
public sealed class SqliteCatalogPagingTests(SqliteStorefrontFactory factory)
    : CatalogPagingTests(factory), IClassFixture<SqliteStorefrontFactory>
{
    protected override bool TotalsAreEstimatedWhenLarge => false;
}

public sealed class PostgresCatalogPagingTests(PostgresStorefrontFactory factory)
    : CatalogPagingTests(factory), IClassFixture<PostgresStorefrontFactory>
{
    protected override bool TotalsAreEstimatedWhenLarge => true;
}
