using Storefront.Api.Orders;

namespace Storefront.Tests.Orders;

/// <summary>Orders bounded: a total the table cannot hold is a 400, and the per-user limits a shop sets. Once per store.</summary>
public abstract class OrderLimitTests(StorefrontFactory factory) : StaffClientTests(factory)
{
    public override ValueTask InitializeAsync()
    {
        Factory.With("Orders:MaxUnitsPerItemPerUser", "10").With("Orders:MaxOrdersPerMinute", "5");
        return base.InitializeAsync();
    }

    [Fact]
    public async Task An_order_whose_total_cannot_be_stored_is_a_400_naming_its_lines_and_reserves_nothing()
    {
        var dear = await OrderSupport.StockedItemAsync(Staff, 1_000, 9_999_999_999.99m);
        var cheap = await OrderSupport.StockedItemAsync(Staff, 1_000, 1m);
        using var buyer = await Factory.CreateAuthenticatedClientAsync();
        // 100 × 9,999,999,999.99 fits numeric(14, 2)? No: 999,999,999,999.00 does, 101 units do not.
        var problem = await (await OrderSupport.OrderAsync(buyer, null, (dear, 101), (cheap, 2))).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal([new LineTotal(dear, 101, 1_009_999_999_998.99m), new LineTotal(cheap, 2, 2m)], problem.Member<LineTotal[]>("lines"));
        Assert.Contains("999999999999.99", problem.Detail, StringComparison.Ordinal);
        Assert.Equal(1_000, await OrderSupport.InStockAsync(buyer, dear));
        // With a key too: the same answer, nothing kept.
        await (await OrderSupport.OrderAsync(buyer, Guid.NewGuid().ToString(), (dear, 101))).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(99_999_999_999.90m, (await OrderSupport.PlacedAsync(buyer, (dear, 10))).Total);
    }

    [Fact]
    public async Task Units_of_one_item_per_user_across_open_orders_are_limited_and_a_cancel_frees_them()
    {
        var item = await OrderSupport.StockedItemAsync(Staff, 100);
        var other = await OrderSupport.StockedItemAsync(Staff, 100);
        using var buyer = await Factory.CreateAuthenticatedClientAsync();
        var first = await OrderSupport.PlacedAsync(buyer, (item, 6));
        var problem = await (await OrderSupport.OrderAsync(buyer, null, (item, 5), (other, 1))).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("Orders__MaxUnitsPerItemPerUser", problem.Member<string>("limit"));
        Assert.Contains("at most 10 units", problem.Detail, StringComparison.Ordinal);
        Assert.Equal(new HeldLine(item, 5, 6), Assert.Single(problem.Member<HeldLine[]>("lines")));
        Assert.Equal(94, await OrderSupport.InStockAsync(buyer, item));
        Assert.Equal(100, await OrderSupport.InStockAsync(buyer, other));

        // Another buyer has a limit of their own; the first one's 4 more fit exactly.
        using var neighbour = await Factory.CreateAuthenticatedClientAsync();
        await (await OrderSupport.OrderAsync(neighbour, null, (item, 10))).ShouldBeJsonAsync(HttpStatusCode.Created);
        await (await OrderSupport.OrderAsync(buyer, null, (item, 4))).ShouldBeJsonAsync(HttpStatusCode.Created);
        await (await buyer.PostAsync($"/orders/{first.Id}/cancel", null)).ShouldBeJsonAsync();
        await (await OrderSupport.OrderAsync(buyer, null, (item, 6))).ShouldBeJsonAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Concurrent_orders_of_one_user_cannot_pass_the_unit_limit_together()
    {
        var item = await OrderSupport.StockedItemAsync(Staff, 100);
        using var buyer = await Factory.CreateAuthenticatedClientAsync();
        // The per-minute limit is per user: spread the 30 orders over buyers holding one token each would test nothing here,
        // so this buyer's window is what it is: at most 5 answers get past it, and of those at most 10 units.
        var answers = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => OrderSupport.OrderAsync(buyer, null, (item, 3))));
        var created = answers.Count(a => a.StatusCode == HttpStatusCode.Created);
        Assert.All(answers, a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict, HttpStatusCode.TooManyRequests }));
        Assert.Equal(3, created);
        Assert.Equal(91, await OrderSupport.InStockAsync(buyer, item));
    }

    [Fact]
    public async Task Orders_per_minute_per_user_are_limited_with_a_429_naming_the_limit()
    {
        var item = await OrderSupport.StockedItemAsync(Staff, 100);
        using var buyer = await Factory.CreateAuthenticatedClientAsync();
        for (var i = 0; i < 5; i++) await (await OrderSupport.OrderAsync(buyer, null, (item, 1))).ShouldBeJsonAsync(HttpStatusCode.Created);
        var response = await OrderSupport.OrderAsync(buyer, null, (item, 1));
        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal("Orders__MaxOrdersPerMinute", problem.Member<string>("limit"));
        Assert.NotNull(response.Headers.RetryAfter);
        // Per user: someone else orders at once.
        using var other = await Factory.CreateAuthenticatedClientAsync();
        await (await OrderSupport.OrderAsync(other, null, (item, 1))).ShouldBeJsonAsync(HttpStatusCode.Created);
    }
}

public sealed class SqliteOrderLimitTests(SqliteStorefrontFactory factory) : OrderLimitTests(factory), IClassFixture<SqliteStorefrontFactory>;

public sealed class PostgresOrderLimitTests(PostgresStorefrontFactory factory) : OrderLimitTests(factory), IClassFixture<PostgresStorefrontFactory>;

/// <summary>The embedded default serves the first order of a first run, and the README's shop flow works.</summary>
public sealed class FirstRunTests
{
    [Fact]
    public async Task The_sample_items_have_stock_so_the_first_order_works_and_the_shop_flow_follows()
    {
        await using var factory = new SqliteStorefrontFactory();
        factory.With("Inventory:SampleUnits", "100"); // The default (the test hosts set 0), as a new user runs it.
        using var buyer = await factory.CreateAuthenticatedClientAsync();
        Assert.Equal(100, await OrderSupport.InStockAsync(buyer, 1));
        var order = await OrderSupport.PlacedAsync(buyer, (1, 2));
        Assert.Equal(98, await OrderSupport.InStockAsync(buyer, 1));

        // The README's next steps: a 403 that says what is missing, the grant, the stock, the cancel.
        var refused = await (await buyer.PutAsJsonAsync("/items/1/stock", new { in_stock = 50 })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        Assert.Contains("users grant", refused.Detail, StringComparison.Ordinal);
        using var admin = await factory.CreateStaffClientAsync();
        await (await admin.PutAsJsonAsync("/items/1/stock", new { in_stock = 50 })).ShouldBeJsonAsync();
        Assert.Equal(48, await OrderSupport.InStockAsync(buyer, 1));
        await (await buyer.PostAsync($"/orders/{order.Id}/cancel", null)).ShouldBeJsonAsync();
        Assert.Equal(50, await OrderSupport.InStockAsync(buyer, 1));
    }
}
