using Storefront.Api.Catalog;

namespace Storefront.Tests.Catalog;

/// <summary>The catalog contract, run once per store: SQLite (the embedded default) and real PostgreSQL.</summary>
public abstract class CatalogTests(StorefrontFactory factory) : StaffClientTests(factory)
{
    [Fact]
    public async Task Writes_without_a_token_are_401_and_change_nothing()
    {
        using var anonymous = Factory.CreateClient();
        var before = await (await anonymous.GetAsync("/items?limit=1")).ShouldBeJsonAsync<ItemListResponse>();
        await (await anonymous.PostJsonTextAsync("/items", """{"name": "Sneaky", "price": 1}""")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        await (await anonymous.PutJsonTextAsync("/items/1", """{"name": "Sneaky", "price": 1}""")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        await (await anonymous.DeleteAsync("/items/1")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        var after = await (await anonymous.GetAsync("/items?limit=1")).ShouldBeJsonAsync<ItemListResponse>();
        Assert.Equal(before.Total, after.Total);
    }

    [Fact]
    public async Task Created_item_can_be_read_back()
    {
        var response = await Staff.PostJsonTextAsync("/items", """{"name": "Desk mat", "price": 19.99, "description": "Felt"}""");
        var id = (await response.ShouldBeJsonAsync<ItemResponse>(HttpStatusCode.Created)).Id;
        Assert.Equal($"/items/{id}", response.Headers.Location?.OriginalString);

        var item = await (await Staff.GetAsync($"/items/{id}")).ShouldBeJsonAsync<ItemDetailResponse>();
        Assert.Equal(("Desk mat", 19.99m, "Felt"), (item.Name, item.Price, item.Description));
    }

    [Fact]
    public async Task Description_is_optional()
    {
        // Present as null, not left out: the records below would read a missing member as a failure.
        var created = await (await Staff.PostJsonTextAsync("/items", """{"name": "Pencil", "price": 0.5}""")).ShouldBeJsonAsync<ItemResponse>(HttpStatusCode.Created);
        Assert.Null(created.Description);
        var read = await Staff.GetItemAsync(created.Id);
        Assert.Null(read.Description);
        Assert.Equal(0.5m, read.Price);
    }

    [Fact]
    public async Task Update_replaces_every_field()
    {
        var id = await CreateAsync("Old name", 5m);
        var updated = await (await Staff.PutJsonTextAsync($"/items/{id}", """{"name": "New name", "price": 7.25, "description": "now described"}"""))
            .ShouldBeJsonAsync<ItemResponse>();
        Assert.Equal("New name", updated.Name);

        var item = await (await Staff.GetAsync($"/items/{id}")).ShouldBeJsonAsync<ItemDetailResponse>();
        Assert.Equal(("New name", 7.25m, "now described"), (item.Name, item.Price, item.Description));
    }

    [Fact]
    public async Task Delete_removes_the_item()
    {
        var id = await CreateAsync("Short-lived", 1m);
        Assert.Equal(HttpStatusCode.NoContent, (await Staff.DeleteAsync($"/items/{id}")).StatusCode);
        await (await Staff.GetAsync($"/items/{id}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await Staff.DeleteAsync($"/items/{id}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Unknown_item_is_a_404_problem_for_read_update_and_delete()
    {
        const string missing = "/items/2000000000";
        var problem = await (await Staff.GetAsync(missing)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        Assert.Contains("2000000000", problem.Detail, StringComparison.Ordinal);
        await (await Staff.PutJsonTextAsync(missing, """{"name": "x", "price": 1}""")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await Staff.DeleteAsync(missing)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task List_pages_in_id_order_with_total()
    {
        var ids = new List<int>();
        for (var i = 0; i < 3; i++) ids.Add(await CreateAsync($"Paged {i}", 1m + i));

        var all = await (await Staff.GetAsync("/items?skip=0&limit=100")).ShouldBeJsonAsync<ItemListResponse>();
        var total = all.Total;
        var allIds = all.Items.Select(i => i.Id).ToList();
        Assert.True(total >= 3);
        Assert.Equal(allIds.Order(), allIds);
        Assert.Subset(allIds.ToHashSet(), ids.ToHashSet());

        var page = await (await Staff.GetAsync("/items?skip=1&limit=2")).ShouldBeJsonAsync<ItemListResponse>();
        Assert.Equal((1, 2, total), (page.Skip, page.Limit, page.Total));
        Assert.Equal(allIds.Skip(1).Take(2), page.Items.Select(i => i.Id));
    }

    [Fact]
    public async Task List_defaults_to_the_first_ten()
    {
        var page = await (await Staff.GetAsync("/items")).ShouldBeJsonAsync<ItemListResponse>();
        Assert.Equal((0, 10), (page.Skip, page.Limit));
    }

    [Theory]
    [InlineData("skip=-1", "skip")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    [InlineData("limit=ten", "limit")]
    public async Task List_rejects_out_of_range_paging(string query, string field)
    {
        await (await Staff.GetAsync($"/items?{query}")).ShouldBeValidationProblemAsync(field);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("abc")]
    public async Task Invalid_item_id_is_a_400_problem(string id)
    {
        await (await Staff.GetAsync($"/items/{id}")).ShouldBeValidationProblemAsync("item_id");
        await (await Staff.DeleteAsync($"/items/{id}")).ShouldBeValidationProblemAsync("item_id");
    }

    public static TheoryData<string, string> InvalidBodies => new()
    {
        { """{"price": 1}""", "name" },
        { """{"name": "   ", "price": 1}""", "name" },
        { $$"""{"name": "{{new string('n', 201)}}", "price": 1}""", "name" },
        { """{"name": "x"}""", "price" },
        { """{"name": "x", "price": 0}""", "price" },
        { """{"name": "x", "price": -3}""", "price" },
        { """{"name": "x", "price": 1.999}""", "price" },
        { """{"name": "x", "price": 99999999999}""", "price" },
        { $$"""{"name": "x", "price": 1, "description": "{{new string('d', 2001)}}"}""", "description" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Invalid_fields_are_a_400_naming_the_field(string body, string field)
    {
        await (await Staff.PostJsonTextAsync("/items", body)).ShouldBeValidationProblemAsync(field);
        var id = await CreateAsync("Valid", 2m);
        await (await Staff.PutJsonTextAsync($"/items/{id}", body)).ShouldBeValidationProblemAsync(field);
    }

    [Theory]
    [InlineData("""{"name": "x", "price": }""")]
    [InlineData("""{"name": "x", "price": "cheap"}""")]
    [InlineData("not json")]
    [InlineData("")]
    public async Task Malformed_json_is_a_400_problem(string body)
    {
        await (await Staff.PostJsonTextAsync("/items", body)).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
    }

    private Task<int> CreateAsync(string name, decimal price) => Staff.CreateItemAsync(name, price);
}

[ServerFree]
public sealed class SqliteCatalogTests(SqliteStorefrontFactory factory)
    : CatalogTests(factory), IClassFixture<SqliteStorefrontFactory>;

public sealed class PostgresCatalogTests(PostgresStorefrontFactory factory)
    : CatalogTests(factory), IClassFixture<PostgresStorefrontFactory>;
