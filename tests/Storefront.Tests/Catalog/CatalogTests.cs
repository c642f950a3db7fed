using System.Net;
using System.Text.Json;
using Storefront.Tests.Infrastructure;
using Storefront.Tests.Infrastructure.Servers;

namespace Storefront.Tests.Catalog;

/// <summary>The catalog contract, run once per store: SQLite (the embedded default) and real PostgreSQL.</summary>
public abstract class CatalogTests(StorefrontFactory factory) : IAsyncLifetime
{
    private HttpClient _client = null!;

    public async ValueTask InitializeAsync() => _client = await factory.CreateStaffClientAsync();

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Writes_without_a_token_are_401_and_change_nothing()
    {
        using var anonymous = factory.CreateClient();
        var before = await (await anonymous.GetAsync("/items?limit=1")).ShouldBeJsonAsync();
        await (await anonymous.PostJsonTextAsync("/items", """{"name": "Sneaky", "price": 1}""")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        await (await anonymous.PutJsonTextAsync("/items/1", """{"name": "Sneaky", "price": 1}""")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        await (await anonymous.DeleteAsync("/items/1")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        var after = await (await anonymous.GetAsync("/items?limit=1")).ShouldBeJsonAsync();
        Assert.Equal(before.GetProperty("total").GetInt32(), after.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Created_item_can_be_read_back()
    {
        var response = await _client.PostJsonTextAsync("/items", """{"name": "Desk mat", "price": 19.99, "description": "Felt"}""");
        var created = await response.ShouldBeJsonAsync(HttpStatusCode.Created);
        var id = created.GetProperty("id").GetInt32();
        Assert.Equal($"/items/{id}", response.Headers.Location?.OriginalString);

        var item = await (await _client.GetAsync($"/items/{id}")).ShouldBeJsonAsync();
        Assert.Equal("Desk mat", item.GetProperty("name").GetString());
        Assert.Equal(19.99m, item.GetProperty("price").GetDecimal());
        Assert.Equal("Felt", item.GetProperty("description").GetString());
    }

    [Fact]
    public async Task Description_is_optional()
    {
        var created = await (await _client.PostJsonTextAsync("/items", """{"name": "Pencil", "price": 0.5}""")).ShouldBeJsonAsync(HttpStatusCode.Created);
        Assert.Equal(JsonValueKind.Null, created.GetProperty("description").ValueKind);
        var read = await (await _client.GetAsync($"/items/{created.GetProperty("id").GetInt32()}")).ShouldBeJsonAsync();
        Assert.Equal(JsonValueKind.Null, read.GetProperty("description").ValueKind);
        Assert.Equal(0.5m, read.GetProperty("price").GetDecimal());
    }

    [Fact]
    public async Task Update_replaces_every_field()
    {
        var id = await CreateAsync("Old name", 5m);
        var updated = await (await _client.PutJsonTextAsync($"/items/{id}", """{"name": "New name", "price": 7.25, "description": "now described"}"""))
            .ShouldBeJsonAsync();
        Assert.Equal("New name", updated.GetProperty("name").GetString());

        var item = await (await _client.GetAsync($"/items/{id}")).ShouldBeJsonAsync();
        Assert.Equal("New name", item.GetProperty("name").GetString());
        Assert.Equal(7.25m, item.GetProperty("price").GetDecimal());
        Assert.Equal("now described", item.GetProperty("description").GetString());
    }

    [Fact]
    public async Task Delete_removes_the_item()
    {
        var id = await CreateAsync("Short-lived", 1m);
        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteAsync($"/items/{id}")).StatusCode);
        await (await _client.GetAsync($"/items/{id}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await _client.DeleteAsync($"/items/{id}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Unknown_item_is_a_404_problem_for_read_update_and_delete()
    {
        const string missing = "/items/2000000000";
        var problem = await (await _client.GetAsync(missing)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        Assert.Contains("2000000000", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await (await _client.PutJsonTextAsync(missing, """{"name": "x", "price": 1}""")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await _client.DeleteAsync(missing)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task List_pages_in_id_order_with_total()
    {
        var ids = new List<int>();
        for (var i = 0; i < 3; i++) ids.Add(await CreateAsync($"Paged {i}", 1m + i));

        var all = await (await _client.GetAsync("/items?skip=0&limit=100")).ShouldBeJsonAsync();
        var total = all.GetProperty("total").GetInt32();
        var allIds = all.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetInt32()).ToList();
        Assert.True(total >= 3);
        Assert.Equal(allIds.Order(), allIds);
        Assert.Subset(allIds.ToHashSet(), ids.ToHashSet());

        var page = await (await _client.GetAsync("/items?skip=1&limit=2")).ShouldBeJsonAsync();
        Assert.Equal(1, page.GetProperty("skip").GetInt32());
        Assert.Equal(2, page.GetProperty("limit").GetInt32());
        Assert.Equal(total, page.GetProperty("total").GetInt32());
        Assert.Equal(allIds.Skip(1).Take(2), page.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetInt32()));
    }

    [Fact]
    public async Task List_defaults_to_the_first_ten()
    {
        var page = await (await _client.GetAsync("/items")).ShouldBeJsonAsync();
        Assert.Equal(0, page.GetProperty("skip").GetInt32());
        Assert.Equal(10, page.GetProperty("limit").GetInt32());
    }

    [Theory]
    [InlineData("skip=-1", "skip")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    [InlineData("limit=ten", "limit")]
    public async Task List_rejects_out_of_range_paging(string query, string field)
    {
        await (await _client.GetAsync($"/items?{query}")).ShouldBeValidationProblemAsync(field);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("abc")]
    public async Task Invalid_item_id_is_a_400_problem(string id)
    {
        await (await _client.GetAsync($"/items/{id}")).ShouldBeValidationProblemAsync("item_id");
        await (await _client.DeleteAsync($"/items/{id}")).ShouldBeValidationProblemAsync("item_id");
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
        await (await _client.PostJsonTextAsync("/items", body)).ShouldBeValidationProblemAsync(field);
        var id = await CreateAsync("Valid", 2m);
        await (await _client.PutJsonTextAsync($"/items/{id}", body)).ShouldBeValidationProblemAsync(field);
    }

    [Theory]
    [InlineData("""{"name": "x", "price": }""")]
    [InlineData("""{"name": "x", "price": "cheap"}""")]
    [InlineData("not json")]
    [InlineData("")]
    public async Task Malformed_json_is_a_400_problem(string body)
    {
        await (await _client.PostJsonTextAsync("/items", body)).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
    }

    private async Task<int> CreateAsync(string name, decimal price)
    {
        var created = await (await _client.PostJsonTextAsync("/items", JsonSerializer.Serialize(new { name, price })))
            .ShouldBeJsonAsync(HttpStatusCode.Created);
        return created.GetProperty("id").GetInt32();
    }
}

[ServerFree]
public sealed class SqliteCatalogTests(SqliteStorefrontFactory factory)
    : CatalogTests(factory), IClassFixture<SqliteStorefrontFactory>;

public sealed class PostgresCatalogTests(PostgresStorefrontFactory factory)
    : CatalogTests(factory), IClassFixture<PostgresStorefrontFactory>;
