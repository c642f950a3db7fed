using Storefront.Api.Catalog;
using Storefront.Api.Live;
using Storefront.Api.Orders;

namespace Storefront.Tests.Orders;

/// <summary>Orders, run once per store: SQLite (the embedded default) and real PostgreSQL.</summary>
public abstract class OrderTests(StorefrontFactory factory) : StaffClientTests(factory)
{
    private HttpClient _buyer = null!;

    public override async ValueTask InitializeAsync()
    {
        if (Factory is PostgresStorefrontFactory postgres)
            Factory.With("ConnectionStrings:Postgres", OrderSupport.SmallPool(postgres.Database.ConnectionString));
        // A thousand orders of one item queue on its row; on a loaded machine the last of them wait past the default
        // request deadline, which these tests do not check.
        Factory.With("Limits:RequestTimeoutSeconds", "300");
        await base.InitializeAsync();
        _buyer = Owned(await Factory.CreateAuthenticatedClientAsync());
    }

    [Fact]
    public async Task A_thousand_buyers_of_one_unit_share_a_hundred_units_exactly()
    {
        var item = await OrderSupport.StockedItemAsync(Staff, 100);
        var buyers = await OrderSupport.BuyersAsync(Factory, 4);
        var answers = await OrderSupport.BuyAllAsync(buyers, 1_000, item);

        Assert.Equal(100, answers.Count(a => a.Status == HttpStatusCode.Created));
        Assert.Equal(900, answers.Count(a => a.Status == HttpStatusCode.Conflict));
        Assert.Equal(0, await OrderSupport.InStockAsync(_buyer, item));
        var orders = answers.Where(a => a.OrderId is not null).Select(a => a.OrderId!.Value).ToHashSet();
        Assert.Equal(100, orders.Count);
        Assert.Equal(100, await OrderSupport.ConfirmationJobsAsync(Factory.Services, orders));
        buyers.ForEach(b => b.Dispose());
    }

    [Fact]
    public async Task An_order_reserves_every_line_at_todays_prices_and_its_owner_can_read_it()
    {
        var a = await OrderSupport.StockedItemAsync(Staff, 5, 3.10m);
        var b = await OrderSupport.StockedItemAsync(Staff, 2, 10m);
        var response = await OrderSupport.OrderAsync(_buyer, null, (b, 2), (a, 3));
        var order = await response.ShouldBeJsonAsync<OrderResponse>(HttpStatusCode.Created);
        var id = order.Id;
        Assert.Equal($"/orders/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("confirmed", order.Status);
        Assert.Equal(29.30m, order.Total);
        Assert.Equal([new OrderLineResponse(a, 3, 3.10m), new OrderLineResponse(b, 2, 10m)], order.Lines);
        Assert.Equal(2, await OrderSupport.InStockAsync(_buyer, a));
        Assert.Equal(0, await OrderSupport.InStockAsync(_buyer, b));

        // A later price change does not touch the order.
        await (await Staff.PutAsJsonAsync($"/items/{a}", new { name = "Dearer", price = 99m })).ShouldBeJsonAsync();
        var read = await (await _buyer.GetAsync($"/orders/{id}")).ShouldBeJsonAsync<OrderResponse>();
        Assert.Equal(29.30m, read.Total);

        using var stranger = await Factory.CreateAuthenticatedClientAsync();
        await (await stranger.GetAsync($"/orders/{id}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.PostAsync($"/orders/{id}/cancel", null)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await Factory.CreateClient().GetAsync($"/orders/{id}")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task An_order_the_stock_cannot_serve_is_a_409_naming_its_lines_and_reserves_nothing()
    {
        var plenty = await OrderSupport.StockedItemAsync(Staff, 10);
        var scarce = await OrderSupport.StockedItemAsync(Staff, 1);
        var problem = await (await OrderSupport.OrderAsync(_buyer, null, (plenty, 4), (scarce, 2), (2_000_000_000, 1)))
            .ShouldBeProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal([new UnavailableLine(scarce, 2, 1), new UnavailableLine(2_000_000_000, 1, 0)], problem.Member<UnavailableLine[]>("lines"));
        Assert.Equal(10, await OrderSupport.InStockAsync(_buyer, plenty));
        Assert.Equal(1, await OrderSupport.InStockAsync(_buyer, scarce));
    }

    [Fact]
    public async Task Crossed_multi_line_orders_never_deadlock()
    {
        var a = await OrderSupport.StockedItemAsync(Staff, 1_000);
        var b = await OrderSupport.StockedItemAsync(Staff, 1_000);
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
        var item = await OrderSupport.StockedItemAsync(Staff, 50);
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
        using var other = await Factory.CreateAuthenticatedClientAsync();
        await (await OrderSupport.OrderAsync(other, key, (item, 3))).ShouldBeJsonAsync(HttpStatusCode.Created);
        Assert.Equal(45, await OrderSupport.InStockAsync(_buyer, item));

        // A refused order is answered the same way on a retry, even once stock has arrived meanwhile.
        var refusedKey = Guid.NewGuid().ToString();
        await (await OrderSupport.OrderAsync(_buyer, refusedKey, (item, 46))).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        await (await Staff.PutAsJsonAsync($"/items/{item}/stock", new { in_stock = 100 })).ShouldBeJsonAsync();
        var replayed = await (await OrderSupport.OrderAsync(_buyer, refusedKey, (item, 46))).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(45, replayed.Member<UnavailableLine[]>("lines")[0].Available);
    }

    [Fact]
    public async Task Cancelling_returns_the_units_once()
    {
        var item = await OrderSupport.StockedItemAsync(Staff, 5);
        var order = await OrderSupport.PlacedAsync(_buyer, (item, 4));
        var cancels = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => _buyer.PostAsync($"/orders/{order.Id}/cancel", null)));
        foreach (var cancel in cancels)
            Assert.Equal("cancelled", (await cancel.ShouldBeJsonAsync<OrderResponse>()).Status);
        Assert.Equal(5, await OrderSupport.InStockAsync(_buyer, item));
    }

    [Fact]
    public async Task The_callers_orders_page_newest_first_with_an_opaque_cursor()
    {
        var item = await OrderSupport.StockedItemAsync(Staff, 10);
        using var buyer = await Factory.CreateAuthenticatedClientAsync();
        var ids = new List<long>();
        for (var i = 0; i < 5; i++)
            ids.Add((await OrderSupport.PlacedAsync(buyer, (item, 1))).Id);

        var seen = new List<long>();
        string? next = null;
        do
        {
            var page = await (await buyer.GetAsync(next is null ? "/orders?limit=2" : $"/orders?limit=2&after={next}")).ShouldBeJsonAsync<OrderListResponse>();
            seen.AddRange(page.Orders.Select(o => o.Id));
            next = page.Next;
        } while (next is not null && seen.Count < 10);
        Assert.Equal(Enumerable.Reverse(ids), seen);
        await (await buyer.GetAsync("/orders?after=12345")).ShouldBeValidationProblemAsync("after");
    }

    [Fact]
    public async Task Subscribers_of_the_item_see_the_stock_an_order_leaves()
    {
        var item = await OrderSupport.StockedItemAsync(Staff, 7, 4m);
        await using var socket = await WebSocketClient.ConnectAsync(_buyer.BaseAddress!, "/ws/stock");
        await socket.SendTextAsync($$"""{"subscribe": [{{item}}]}""");
        await socket.ReceiveTextAsync();
        await OrderSupport.PlacedAsync(_buyer, (item, 3));
        var pushed = await socket.ReceiveJsonAsync<StockUpdate>();
        Assert.Equal((item, 4, 4m), (pushed.Id, pushed.InStock, pushed.Price));
    }

    [Fact]
    public async Task OnlyStaffs_set_stock_and_bad_orders_are_400()
    {
        var item = await OrderSupport.StockedItemAsync(Staff, 1);
        await (await _buyer.PutAsJsonAsync($"/items/{item}/stock", new { in_stock = 1000 })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await Staff.PutAsJsonAsync($"/items/{item}/stock", new { in_stock = -1 })).ShouldBeValidationProblemAsync("in_stock");
        await (await Staff.PutAsJsonAsync("/items/2000000000/stock", new { in_stock = 1 })).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await OrderSupport.OrderAsync(_buyer, null, (item, 1), (item, 1))).ShouldBeValidationProblemAsync("lines");
        await (await OrderSupport.OrderAsync(_buyer, null, (item, 0))).ShouldBeValidationProblemAsync("lines[0].quantity");
        await (await OrderSupport.OrderAsync(_buyer, "has space", (item, 1))).ShouldBeValidationProblemAsync("Idempotency-Key");
        await (await _buyer.PostJsonTextAsync("/orders", """{"lines": []}""")).ShouldBeValidationProblemAsync("lines");
        Assert.Equal(1, await OrderSupport.InStockAsync(_buyer, item));
    }

    [Fact]
    public async Task Item_writes_honour_If_Match()
    {
        var id = await Staff.CreateItemAsync("Versioned", 1m);
        var etag = (await Staff.GetAsync($"/items/{id}")).Headers.ETag;
        Assert.NotNull(etag);
        Assert.False(etag.IsWeak);

        var updated = await Staff.SendAsync(IfMatch(HttpMethod.Put, id, etag.Tag, new { name = "Mine", price = 2m }));
        await updated.ShouldBeJsonAsync();
        var newTag = updated.Headers.ETag?.Tag;
        Assert.NotEqual(etag.Tag, newTag);
        Assert.Equal(newTag, (await Staff.GetAsync($"/items/{id}")).Headers.ETag?.Tag);

        // The other client still holds the first version: its write would undo "Mine", so it is refused.
        await (await Staff.SendAsync(IfMatch(HttpMethod.Put, id, etag.Tag, new { name = "Theirs", price = 3m }))).ShouldBeProblemAsync(HttpStatusCode.PreconditionFailed);
        await (await Staff.SendAsync(IfMatch(HttpMethod.Delete, id, etag.Tag))).ShouldBeProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal("Mine", (await (await Staff.GetAsync($"/items/{id}")).ShouldBeJsonAsync<ItemDetailResponse>()).Name);
        Assert.Equal(HttpStatusCode.NoContent, (await Staff.SendAsync(IfMatch(HttpMethod.Delete, id, newTag!))).StatusCode);
        await (await Staff.SendAsync(IfMatch(HttpMethod.Delete, id, newTag!))).ShouldBeProblemAsync(HttpStatusCode.NotFound);
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
