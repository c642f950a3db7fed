using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Storefront.Tests.Infrastructure;
using Storefront.Tests.Infrastructure.Servers;

namespace Storefront.Tests.Orders;

/// <summary>Orders, run once per store: SQLite (the embedded default) and real PostgreSQL.</summary>
public abstract class OrderTests(StorefrontFactory factory) : IAsyncLifetime
{
    private HttpClient _admin = null!;
    private HttpClient _buyer = null!;

    public async ValueTask InitializeAsync()
    {
        if (factory is PostgresStorefrontFactory postgres)
            factory.With("ConnectionStrings:Postgres", OrderSupport.SmallPool(postgres.Database.ConnectionString));
        _admin = await OrderSupport.AdminClientAsync(factory);
        _buyer = await factory.CreateAuthenticatedClientAsync();
    }

    public ValueTask DisposeAsync()
    {
        _admin.Dispose();
        _buyer.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task A_thousand_buyers_of_one_unit_share_a_hundred_units_exactly()
    {
        var item = await OrderSupport.StockedItemAsync(_admin, 100);
        var buyers = await OrderSupport.BuyersAsync(factory, 4);
        var answers = await OrderSupport.BuyAllAsync(buyers, 1_000, item);

        Assert.Equal(100, answers.Count(a => a.Status == HttpStatusCode.Created));
        Assert.Equal(900, answers.Count(a => a.Status == HttpStatusCode.Conflict));
        Assert.Equal(0, await OrderSupport.InStockAsync(_buyer, item));
        var orders = answers.Where(a => a.OrderId is not null).Select(a => a.OrderId!.Value).ToHashSet();
        Assert.Equal(100, orders.Count);
        Assert.Equal(100, await OrderSupport.ConfirmationJobsAsync(factory.Services, orders));
        buyers.ForEach(b => b.Dispose());
    }

    [Fact]
    public async Task An_order_reserves_every_line_at_todays_prices_and_its_owner_can_read_it()
    {
        var a = await OrderSupport.StockedItemAsync(_admin, 5, 3.10m);
        var b = await OrderSupport.StockedItemAsync(_admin, 2, 10m);
        var response = await OrderSupport.OrderAsync(_buyer, null, (b, 2), (a, 3));
        var order = await response.ShouldBeJsonAsync(HttpStatusCode.Created);
        var id = order.GetProperty("id").GetInt64();
        Assert.Equal($"/orders/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("confirmed", order.GetProperty("status").GetString());
        Assert.Equal(29.30m, order.GetProperty("total").GetDecimal());
        var lines = order.GetProperty("lines").EnumerateArray().Select(l => (l.GetProperty("item_id").GetInt32(), l.GetProperty("quantity").GetInt32(), l.GetProperty("price").GetDecimal()));
        Assert.Equal([(a, 3, 3.10m), (b, 2, 10m)], lines);
        Assert.Equal(2, await OrderSupport.InStockAsync(_buyer, a));
        Assert.Equal(0, await OrderSupport.InStockAsync(_buyer, b));

        // A later price change does not touch the order.
        await (await _admin.PutAsJsonAsync($"/items/{a}", new { name = "Dearer", price = 99m })).ShouldBeJsonAsync();
        var read = await (await _buyer.GetAsync($"/orders/{id}")).ShouldBeJsonAsync();
        Assert.Equal(29.30m, read.GetProperty("total").GetDecimal());

        using var stranger = await factory.CreateAuthenticatedClientAsync();
        await (await stranger.GetAsync($"/orders/{id}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.PostAsync($"/orders/{id}/cancel", null)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await factory.CreateClient().GetAsync($"/orders/{id}")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task An_order_the_stock_cannot_serve_is_a_409_naming_its_lines_and_reserves_nothing()
    {
        var plenty = await OrderSupport.StockedItemAsync(_admin, 10);
        var scarce = await OrderSupport.StockedItemAsync(_admin, 1);
        var problem = await (await OrderSupport.OrderAsync(_buyer, null, (plenty, 4), (scarce, 2), (2_000_000_000, 1)))
            .ShouldBeProblemAsync(HttpStatusCode.Conflict);
        var named = problem.GetProperty("lines").EnumerateArray()
            .Select(l => (l.GetProperty("item_id").GetInt32(), l.GetProperty("quantity").GetInt32(), l.GetProperty("available").GetInt32()));
        Assert.Equal([(scarce, 2, 1), (2_000_000_000, 1, 0)], named);
        Assert.Equal(10, await OrderSupport.InStockAsync(_buyer, plenty));
        Assert.Equal(1, await OrderSupport.InStockAsync(_buyer, scarce));
    }

    [Fact]
    public async Task Crossed_multi_line_orders_never_deadlock()
    {
        var a = await OrderSupport.StockedItemAsync(_admin, 1_000);
        var b = await OrderSupport.StockedItemAsync(_admin, 1_000);
        var orders = Enumerable.Range(0, 200).Select(async i =>
        {
            using var response = i % 2 == 0 ? await OrderSupport.OrderAsync(_buyer, null, (a, 1), (b, 1)) : await OrderSupport.OrderAsync(_buyer, null, (b, 1), (a, 1));
            return response.StatusCode;
        });
        var statuses = await Task.WhenAll(orders);
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Created, s));
        Assert.Equal(800, await OrderSupport.InStockAsync(_buyer, a));
        Assert.Equal(800, await OrderSupport.InStockAsync(_buyer, b));
    }

    [Fact]
    public async Task Retries_with_one_idempotency_key_create_one_order_and_get_its_answer()
    {
        var item = await OrderSupport.StockedItemAsync(_admin, 50);
        var key = Guid.NewGuid().ToString();
        // Concurrent duplicates (a client retrying before the first answer came back) and a later retry.
        var first = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => OrderSupport.OrderAsync(_buyer, key, (item, 2))));
        var bodies = new List<string>();
        foreach (var response in first.Append(await OrderSupport.OrderAsync(_buyer, key, (item, 2))))
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            bodies.Add(await response.Content.ReadAsStringAsync());
        }
        Assert.Single(bodies.Distinct());
        Assert.Equal(48, await OrderSupport.InStockAsync(_buyer, item));

        await (await OrderSupport.OrderAsync(_buyer, key, (item, 3))).ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity);
        // Keys are per user: another user's same key is a new order.
        using var other = await factory.CreateAuthenticatedClientAsync();
        await (await OrderSupport.OrderAsync(other, key, (item, 3))).ShouldBeJsonAsync(HttpStatusCode.Created);
        Assert.Equal(45, await OrderSupport.InStockAsync(_buyer, item));

        // A refused order is answered the same way on a retry, even once stock has arrived meanwhile.
        var refusedKey = Guid.NewGuid().ToString();
        await (await OrderSupport.OrderAsync(_buyer, refusedKey, (item, 46))).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        await (await _admin.PutAsJsonAsync($"/items/{item}/stock", new { in_stock = 100 })).ShouldBeJsonAsync();
        var replayed = await (await OrderSupport.OrderAsync(_buyer, refusedKey, (item, 46))).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(45, replayed.GetProperty("lines")[0].GetProperty("available").GetInt32());
    }

    [Fact]
    public async Task Cancelling_returns_the_units_once()
    {
        var item = await OrderSupport.StockedItemAsync(_admin, 5);
        var order = await (await OrderSupport.OrderAsync(_buyer, null, (item, 4))).ShouldBeJsonAsync(HttpStatusCode.Created);
        var id = order.GetProperty("id").GetInt64();
        var cancels = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => _buyer.PostAsync($"/orders/{id}/cancel", null)));
        foreach (var cancel in cancels)
        {
            var cancelled = await cancel.ShouldBeJsonAsync();
            Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        }
        Assert.Equal(5, await OrderSupport.InStockAsync(_buyer, item));
    }

    [Fact]
    public async Task The_callers_orders_page_newest_first_with_an_opaque_cursor()
    {
        var item = await OrderSupport.StockedItemAsync(_admin, 10);
        using var buyer = await factory.CreateAuthenticatedClientAsync();
        var ids = new List<long>();
        for (var i = 0; i < 5; i++)
            ids.Add((await (await OrderSupport.OrderAsync(buyer, null, (item, 1))).ShouldBeJsonAsync(HttpStatusCode.Created)).GetProperty("id").GetInt64());

        var seen = new List<long>();
        string? next = null;
        do
        {
            var page = await (await buyer.GetAsync(next is null ? "/orders?limit=2" : $"/orders?limit=2&after={next}")).ShouldBeJsonAsync();
            seen.AddRange(page.GetProperty("orders").EnumerateArray().Select(o => o.GetProperty("id").GetInt64()));
            next = page.GetProperty("next").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next").GetString();
        } while (next is not null && seen.Count < 10);
        Assert.Equal(Enumerable.Reverse(ids), seen);
        await (await buyer.GetAsync("/orders?after=12345")).ShouldBeValidationProblemAsync("after");
    }

    [Fact]
    public async Task Subscribers_of_the_item_see_the_stock_an_order_leaves()
    {
        var item = await OrderSupport.StockedItemAsync(_admin, 7, 4m);
        await using var socket = await WebSocketClient.ConnectAsync(_buyer.BaseAddress!, "/ws/stock");
        await socket.SendTextAsync($$"""{"subscribe": [{{item}}]}""");
        await socket.ReceiveTextAsync();
        await (await OrderSupport.OrderAsync(_buyer, null, (item, 3))).ShouldBeJsonAsync(HttpStatusCode.Created);
        var pushed = await socket.ReceiveJsonAsync();
        Assert.Equal(item, pushed.GetProperty("id").GetInt32());
        Assert.Equal(4, pushed.GetProperty("in_stock").GetInt32());
        Assert.Equal(4m, pushed.GetProperty("price").GetDecimal());
    }

    [Fact]
    public async Task Only_admins_set_stock_and_bad_orders_are_400()
    {
        var item = await OrderSupport.StockedItemAsync(_admin, 1);
        await (await _buyer.PutAsJsonAsync($"/items/{item}/stock", new { in_stock = 1000 })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await _admin.PutAsJsonAsync($"/items/{item}/stock", new { in_stock = -1 })).ShouldBeValidationProblemAsync("in_stock");
        await (await _admin.PutAsJsonAsync("/items/2000000000/stock", new { in_stock = 1 })).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await OrderSupport.OrderAsync(_buyer, null, (item, 1), (item, 1))).ShouldBeValidationProblemAsync("lines");
        await (await OrderSupport.OrderAsync(_buyer, null, (item, 0))).ShouldBeValidationProblemAsync("lines[0].quantity");
        await (await OrderSupport.OrderAsync(_buyer, "has space", (item, 1))).ShouldBeValidationProblemAsync("Idempotency-Key");
        await (await _buyer.PostJsonTextAsync("/orders", """{"lines": []}""")).ShouldBeValidationProblemAsync("lines");
        Assert.Equal(1, await OrderSupport.InStockAsync(_buyer, item));
    }

    [Fact]
    public async Task Item_writes_honour_If_Match()
    {
        var created = await (await _admin.PostAsJsonAsync("/items", new { name = "Versioned", price = 1m })).ShouldBeJsonAsync(HttpStatusCode.Created);
        var id = created.GetProperty("id").GetInt32();
        var etag = (await _admin.GetAsync($"/items/{id}")).Headers.ETag;
        Assert.NotNull(etag);
        Assert.False(etag.IsWeak);

        var updated = await _admin.SendAsync(IfMatch(HttpMethod.Put, id, etag.Tag, new { name = "Mine", price = 2m }));
        await updated.ShouldBeJsonAsync();
        var newTag = updated.Headers.ETag?.Tag;
        Assert.NotEqual(etag.Tag, newTag);
        Assert.Equal(newTag, (await _admin.GetAsync($"/items/{id}")).Headers.ETag?.Tag);

        // The other client still holds the first version: its write would undo "Mine", so it is refused.
        await (await _admin.SendAsync(IfMatch(HttpMethod.Put, id, etag.Tag, new { name = "Theirs", price = 3m }))).ShouldBeProblemAsync(HttpStatusCode.PreconditionFailed);
        await (await _admin.SendAsync(IfMatch(HttpMethod.Delete, id, etag.Tag))).ShouldBeProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal("Mine", (await (await _admin.GetAsync($"/items/{id}")).ShouldBeJsonAsync()).GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.SendAsync(IfMatch(HttpMethod.Delete, id, newTag!))).StatusCode);
        await (await _admin.SendAsync(IfMatch(HttpMethod.Delete, id, newTag!))).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    internal static HttpRequestMessage IfMatch(HttpMethod method, int id, string tag, object? body = null)
    {
        var request = new HttpRequestMessage(method, $"/items/{id}") { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.TryAddWithoutValidation("If-Match", tag);
        return request;
    }
}

[ServerFree]
public sealed class SqliteOrderTests(SqliteStorefrontFactory factory) : OrderTests(factory), IClassFixture<SqliteStorefrontFactory>;

public sealed class PostgresOrderTests(PostgresStorefrontFactory factory) : OrderTests(factory), IClassFixture<PostgresStorefrontFactory>;
