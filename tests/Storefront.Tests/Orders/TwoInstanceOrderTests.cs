using Storefront.Api.Live;

namespace Storefront.Tests.Orders;

/// <summary>
/// Two running instances on one PostgreSQL database and one Redis, as behind a load balancer: a lock inside either
/// process would protect nothing here, so exactly-once stock has to come from the database.
/// </summary>
public sealed class TwoInstanceOrderTests : TwoShopInstances
{
    private SqliteStorefrontFactory First => Instances[0];

    private SqliteStorefrontFactory Second => Instances[1];

    [Fact]
    public async Task A_thousand_buyers_on_two_instances_share_a_hundred_units_exactly()
    {
        using var admin = await OrderSupport.AdminClientAsync(First);
        var item = await OrderSupport.StockedItemAsync(admin, 100, 5m);

        // Subscribed on the second instance: it hears the first instance's orders through Redis.
        await using var socket = await WebSocketClient.ConnectAsync(Second.CreateClient().BaseAddress!, "/ws/stock");
        await socket.SendTextAsync($$"""{"subscribe": [{{item}}]}""");
        await socket.ReceiveTextAsync();
        // Read all along: a socket nobody reads does not answer the server's keep-alive pings, and is closed.
        var sawSoldOut = WaitForSoldOutAsync(socket, item);

        var buyers = new List<HttpClient>();
        foreach (var instance in new[] { First, Second }) buyers.AddRange(await OrderSupport.BuyersAsync(instance, 2));
        var answers = await OrderSupport.BuyAllAsync(buyers, 1_000, item);

        Assert.Equal(100, answers.Count(a => a.Status == HttpStatusCode.Created));
        Assert.Equal(900, answers.Count(a => a.Status == HttpStatusCode.Conflict));
        Assert.Equal(0, await OrderSupport.InStockAsync(buyers[0], item));
        Assert.Equal(0, await OrderSupport.InStockAsync(buyers[^1], item));
        var orders = answers.Where(a => a.OrderId is not null).Select(a => a.OrderId!.Value).ToHashSet();
        Assert.Equal(100, await OrderSupport.ConfirmationJobsAsync(First.Services, orders));

        // Every reservation was published; the one that left 0 reaches the other instance's subscriber too.
        await sawSoldOut.WaitAsync(TimeSpan.FromSeconds(30));
        buyers.ForEach(b => b.Dispose());
    }

    // Other test hosts share the Redis server's channel: only this item at this price counts.
    private static async Task WaitForSoldOutAsync(WebSocketClient socket, int item)
    {
        while (true)
        {
            var push = await socket.ReceiveJsonAsync<StockUpdate>(TimeSpan.FromSeconds(120));
            if (push.Id == item && push.Price == 5m && push.InStock == 0) return;
        }
    }

    [Fact]
    public async Task An_idempotent_retry_on_the_other_instance_gets_the_first_answer()
    {
        using var admin = await OrderSupport.AdminClientAsync(First);
        var item = await OrderSupport.StockedItemAsync(admin, 10);
        var token = admin.DefaultRequestHeaders.Authorization;
        using var viaSecond = Second.CreateClient();
        viaSecond.DefaultRequestHeaders.Authorization = token;
        var key = Guid.NewGuid().ToString();

        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => OrderSupport.OrderAsync(i % 2 == 0 ? admin : viaSecond, key, (item, 1))));
        var bodies = new HashSet<string>();
        foreach (var answer in answers)
        {
            Assert.Equal(HttpStatusCode.Created, answer.StatusCode);
            bodies.Add(await answer.Content.ReadAsStringAsync());
        }
        Assert.Single(bodies);
        Assert.Equal(9, await OrderSupport.InStockAsync(viaSecond, item));
    }
}

/// <summary>The commerce rules across two instances on one PostgreSQL and one Redis: stock, roles and the per-user limits.</summary>
public sealed class TwoInstanceShopTests : TwoShopInstances
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Orders:MaxOrdersPerMinute"] = "4",
        ["Orders:MaxUnitsPerItemPerUser"] = "5",
    };

    [Fact]
    public async Task Webhook_levels_orders_and_cancels_on_both_instances_never_sell_a_unit_twice()
    {
        using var admin = await OrderSupport.AdminClientAsync(Instances[0]);
        var item = await OrderSupport.StockedItemAsync(admin, 10);
        var buyers = new List<HttpClient>();
        foreach (var instance in Instances) buyers.AddRange(await OrderSupport.BuyersAsync(instance, 2));
        using var hookA = Instances[0].CreateClient();
        using var hookB = Instances[1].CreateClient();

        // Each buyer takes 2 (8 of 10) over both instances, while both receive the warehouse's unchanged count of 10.
        var orders = await Task.WhenAll(buyers.Select(async b =>
            (await OrderSupport.PlacedAsync(b, (item, 2))).Id));
        await (await InventoryEvents.PostAsync(hookA, InventoryEvents.Event(item, 10))).ShouldBeJsonAsync(HttpStatusCode.Accepted);
        await (await InventoryEvents.PostAsync(hookB, InventoryEvents.Event(item, 10))).ShouldBeJsonAsync(HttpStatusCode.Accepted);
        Assert.Equal(2, await OrderSupport.InStockAsync(buyers[0], item));
        Assert.Equal(2, await OrderSupport.InStockAsync(buyers[^1], item));

        // Cancels on B, then a level on A: 10 on hand, 4 held.
        await (await buyers[2].PostAsync($"/orders/{orders[2]}/cancel", null)).ShouldBeJsonAsync();
        await (await buyers[3].PostAsync($"/orders/{orders[3]}/cancel", null)).ShouldBeJsonAsync();
        await (await InventoryEvents.PostAsync(hookA, InventoryEvents.Event(item, 10))).ShouldBeJsonAsync(HttpStatusCode.Accepted);
        Assert.Equal(6, await OrderSupport.InStockAsync(buyers[0], item));
        // Three orders of 3 at once over both instances with 6 available: exactly two fit.
        var last = await Task.WhenAll(buyers[1].PostAsJsonAsync("/orders", new { lines = new[] { new { item_id = item, quantity = 3 } } }),
            buyers[2].PostAsJsonAsync("/orders", new { lines = new[] { new { item_id = item, quantity = 3 } } }),
            buyers[3].PostAsJsonAsync("/orders", new { lines = new[] { new { item_id = item, quantity = 3 } } }));
        var sold = last.Count(r => r.StatusCode == HttpStatusCode.Created) * 3;
        Assert.Equal(6, sold);
        Assert.Equal(0, await OrderSupport.InStockAsync(buyers[^1], item));
        buyers.ForEach(b => b.Dispose());
    }

    [Fact]
    public async Task The_per_user_limits_count_orders_on_both_instances_together()
    {
        using var admin = await OrderSupport.AdminClientAsync(Instances[0]);
        var item = await OrderSupport.StockedItemAsync(admin, 100);
        using var viaA = await Instances[0].CreateAuthenticatedClientAsync();
        using var viaB = Instances[1].CreateClient();
        viaB.DefaultRequestHeaders.Authorization = viaA.DefaultRequestHeaders.Authorization;

        await (await OrderSupport.OrderAsync(viaA, null, (item, 3))).ShouldBeJsonAsync(HttpStatusCode.Created);
        var over = await (await OrderSupport.OrderAsync(viaB, null, (item, 3))).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("Orders__MaxUnitsPerItemPerUser", over.Member<string>("limit"));
        await (await OrderSupport.OrderAsync(viaB, null, (item, 2))).ShouldBeJsonAsync(HttpStatusCode.Created);
        // Four orders a minute in all, wherever they land (the window is in Redis): three asked already.
        await (await OrderSupport.OrderAsync(viaA, null, (item, 1))).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        var limited = await (await OrderSupport.OrderAsync(viaB, null, (item, 1))).ShouldBeProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal("Orders__MaxOrdersPerMinute", limited.Member<string>("limit"));
        await (await OrderSupport.OrderAsync(viaA, null, (item, 1))).ShouldBeProblemAsync(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task A_user_is_refused_catalog_writes_on_both_instances_and_an_admin_is_not()
    {
        using var admin = await OrderSupport.AdminClientAsync(Instances[0]);
        var item = await OrderSupport.StockedItemAsync(admin, 1);
        foreach (var instance in Instances)
        {
            using var anonymous = instance.CreateClient();
            await (await anonymous.PutAsJsonAsync($"/items/{item}", new { name = "X", price = 0.01m })).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
            using var user = await instance.CreateAuthenticatedClientAsync();
            await (await user.PutAsJsonAsync($"/items/{item}", new { name = "X", price = 0.01m })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
            using var viaHere = instance.CreateClient();
            viaHere.DefaultRequestHeaders.Authorization = admin.DefaultRequestHeaders.Authorization;
            await (await viaHere.PutAsJsonAsync($"/items/{item}/stock", new { in_stock = 3 })).ShouldBeJsonAsync();
        }
    }
}

/// <summary>Catalog__RequireIfMatch: a write that names no version is refused, so no client overwrites blindly.</summary>
[ServerFree]
public sealed class RequiredIfMatchTests
{
    [Fact]
    public async Task Writes_without_If_Match_are_428_when_it_is_required()
    {
        await using var factory = new SqliteStorefrontFactory();
        factory.With("Catalog:RequireIfMatch", "true");
        using var client = await factory.CreateStaffClientAsync();
        var id = await client.CreateItemAsync("Guarded", 1m);
        await (await client.PutAsJsonAsync($"/items/{id}", new { name = "Blind", price = 2m })).ShouldBeProblemAsync(HttpStatusCode.PreconditionRequired);
        await (await client.DeleteAsync($"/items/{id}")).ShouldBeProblemAsync(HttpStatusCode.PreconditionRequired);
        var tag = (await client.GetAsync($"/items/{id}")).Headers.ETag!.Tag;
        await (await client.SendAsync(OrderTests.IfMatch(HttpMethod.Put, id, tag, new { name = "Seen", price = 2m }))).ShouldBeJsonAsync();
        await (await client.SendAsync(OrderTests.IfMatch(HttpMethod.Put, id, "*", new { name = "Any", price = 2m }))).ShouldBeJsonAsync();
    }
}

/// <summary>Setting stock needs an admin in every environment: Development opens the dashboard to anyone, not this.</summary>
[ServerFree]
public sealed class StockAdminInDevelopmentTests
{
    [Fact]
    public async Task Development_still_refuses_stock_to_anonymous_and_non_admin_callers()
    {
        await using var factory = new SqliteStorefrontFactory();
        factory.WithEnvironment("Development");
        using var anonymous = factory.CreateClient();
        await (await anonymous.PutAsJsonAsync("/items/1/stock", new { in_stock = 5 })).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        using var someone = await factory.CreateAuthenticatedClientAsync();
        await (await someone.PutAsJsonAsync("/items/1/stock", new { in_stock = 5 })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        using var admin = await OrderSupport.AdminClientAsync(factory);
        await (await admin.PutAsJsonAsync("/items/1/stock", new { in_stock = 5 })).ShouldBeJsonAsync();
    }
}
