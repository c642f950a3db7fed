using Storefront.Api.Inventory;
using Storefront.Api.Orders;
using Storefront.Tests.Orders;

namespace Storefront.Tests.Inventory;

/// <summary>
/// The stock rules (docs/api.md, "Stock"): a level from the warehouse or staff is the units on hand, orders reserve,
/// cancels release, and available = on hand − reserved. Each test is a sequence that sold a unit twice under the old
/// rule (a level overwrote what was left, and a cancel then added its units on top). Once per store.
/// </summary>
public abstract class StockRuleTests(StorefrontFactory factory) : StaffClientTests(factory)
{
    private HttpClient _buyer = null!;
    private HttpClient _webhook = null!;

    public override async ValueTask InitializeAsync()
    {
        Factory.With("Inventory:WebhookSecret", InventoryEvents.Secret);
        await base.InitializeAsync();
        _buyer = Owned(await Factory.CreateAuthenticatedClientAsync());
        _webhook = Owned(Factory.CreateClient());
    }

    [Fact]
    public async Task A_warehouse_level_after_an_order_does_not_offer_the_sold_units_again_and_a_cancel_does_not_add_on_top()
    {
        var item = await OrderSupport.StockedItemAsync(Staff, 10);
        var order = await PlaceAsync(item, 4);
        Assert.Equal(6, await OrderSupport.InStockAsync(_buyer, item));

        // The warehouse still holds the 10 (nothing has shipped): its count must not make the 4 sold units available again.
        await LevelAsync(item, 10);
        Assert.Equal(6, await OrderSupport.InStockAsync(_buyer, item));
        await (await OrderSupport.OrderAsync(_buyer, null, (item, 7))).ShouldBeProblemAsync(HttpStatusCode.Conflict);

        // The cancel releases the 4: the 10 on hand are available, not 14.
        await (await _buyer.PostAsync($"/orders/{order}/cancel", null)).ShouldBeJsonAsync();
        Assert.Equal(10, await OrderSupport.InStockAsync(_buyer, item));
        await (await OrderSupport.OrderAsync(_buyer, null, (item, 11))).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        await PlaceAsync(item, 10);
        Assert.Equal(0, await OrderSupport.InStockAsync(_buyer, item));
    }

    [Fact]
    public async Task A_level_below_what_orders_hold_sells_nothing_until_the_warehouse_has_more_than_they_hold()
    {
        var item = await OrderSupport.StockedItemAsync(Staff, 10);
        var order = await PlaceAsync(item, 8);
        await LevelAsync(item, 5); // Three of the eight went missing in the warehouse.
        Assert.Equal(0, await OrderSupport.InStockAsync(_buyer, item));
        var refused = await (await OrderSupport.OrderAsync(_buyer, null, (item, 1))).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(0, refused.Member<UnavailableLine[]>("lines")[0].Available);

        await LevelAsync(item, 9);
        Assert.Equal(1, await OrderSupport.InStockAsync(_buyer, item));
        await (await _buyer.PostAsync($"/orders/{order}/cancel", null)).ShouldBeJsonAsync();
        Assert.Equal(9, await OrderSupport.InStockAsync(_buyer, item));
    }

    [Fact]
    public async Task Staff_set_the_units_on_hand_and_see_what_orders_hold()
    {
        var item = await OrderSupport.StockedItemAsync(Staff, 10);
        await PlaceAsync(item, 3);
        var level = await (await Staff.PutAsJsonAsync($"/items/{item}/stock", new { in_stock = 20 })).ShouldBeJsonAsync<StockResponse>();
        Assert.Equal(new StockResponse(item, 17, 20, 3), level);
        Assert.Equal(17, await OrderSupport.InStockAsync(_buyer, item));
    }

    [Fact]
    public async Task Levels_are_bounded_alike_on_every_path_and_a_cancel_at_the_bound_succeeds()
    {
        var item = await OrderSupport.StockedItemAsync(Staff, 1);
        await (await Staff.PutAsJsonAsync($"/items/{item}/stock", new { in_stock = 1_000_000_001 })).ShouldBeValidationProblemAsync("in_stock");
        await (await InventoryEvents.PostAsync(_webhook, InventoryEvents.Event(item, int.MaxValue))).ShouldBeValidationProblemAsync("in_stock");

        await LevelAsync(item, 1_000_000_000);
        var order = await PlaceAsync(item, 5);
        await LevelAsync(item, 1_000_000_000);
        // Once a 500 on every retry (the returned units overflowed the column): now the reservation is simply released.
        await (await _buyer.PostAsync($"/orders/{order}/cancel", null)).ShouldBeJsonAsync();
        Assert.Equal(1_000_000_000, await OrderSupport.InStockAsync(_buyer, item));
    }

    [Fact]
    public async Task Concurrent_orders_cancels_and_warehouse_levels_never_sell_more_than_the_warehouse_holds()
    {
        var item = await OrderSupport.StockedItemAsync(Staff, 50);
        var buyers = await OrderSupport.BuyersAsync(Factory, 4);
        var placed = new System.Collections.Concurrent.ConcurrentBag<(HttpClient Buyer, long Order)>();
        var cancelled = new System.Collections.Concurrent.ConcurrentBag<long>();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var work = new List<Task>();
        for (var i = 0; i < 200; i++)
        {
            var buyer = buyers[i % buyers.Count];
            var n = i;
            work.Add(Task.Run(async () =>
            {
                await start.Task;
                using var response = await OrderSupport.OrderAsync(buyer, null, (item, 1));
                Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, $"order {n}: {response.StatusCode}");
                if (response.StatusCode != HttpStatusCode.Created) return;
                var id = (await response.ShouldBeJsonAsync<OrderResponse>(HttpStatusCode.Created)).Id;
                placed.Add((buyer, id));
                if (n % 3 == 0)
                {
                    await (await buyer.PostAsync($"/orders/{id}/cancel", null)).ShouldBeJsonAsync();
                    cancelled.Add(id);
                }
            }));
        }
        // The warehouse keeps reporting the same 50 on hand meanwhile (redelivered counts, fresh event ids).
        for (var i = 0; i < 20; i++)
            work.Add(Task.Run(async () =>
            {
                await start.Task;
                await (await InventoryEvents.PostAsync(_webhook, InventoryEvents.Event(item, 50))).ShouldBeJsonAsync(HttpStatusCode.Accepted);
            }));
        start.SetResult();
        await Task.WhenAll(work);

        var held = placed.Count - cancelled.Count;
        Assert.True(held <= 50, $"{held} units held by confirmed orders, 50 on hand");
        Assert.Equal(50 - held, await OrderSupport.InStockAsync(_buyer, item));
        // Every reservation is accounted for: a last level shows exactly the units the confirmed orders hold as reserved.
        var level = await (await Staff.PutAsJsonAsync($"/items/{item}/stock", new { in_stock = 50 })).ShouldBeJsonAsync<StockResponse>();
        Assert.Equal(held, level.Reserved);
        buyers.ForEach(b => b.Dispose());
    }

    private async Task<long> PlaceAsync(int item, int quantity) => (await OrderSupport.PlacedAsync(_buyer, (item, quantity))).Id;

    private async Task LevelAsync(int item, int onHand) =>
        await (await InventoryEvents.PostAsync(_webhook, InventoryEvents.Event(item, onHand))).ShouldBeJsonAsync(HttpStatusCode.Accepted);
}

public sealed class SqliteStockRuleTests(SqliteStorefrontFactory factory) : StockRuleTests(factory), IClassFixture<SqliteStorefrontFactory>;

public sealed class PostgresStockRuleTests(PostgresStorefrontFactory factory) : StockRuleTests(factory), IClassFixture<PostgresStorefrontFactory>;
