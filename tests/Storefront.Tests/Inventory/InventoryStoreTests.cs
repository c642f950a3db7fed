using Storefront.Api.Inventory;
using Storefront.Api.Live;

namespace Storefront.Tests.Inventory;

/// <summary>
/// The webhook's store on PostgreSQL (production), and the limits of one delivery. On both stores an applied event is
/// kept with its stock level: a later catalog write pushes that level, and the same event again is a 409.
/// </summary>
public abstract class InventoryStoreTests(StorefrontFactory factory)
{
    [Fact]
    public async Task An_applied_event_is_stored_once_and_its_level_goes_with_later_catalog_writes()
    {
        factory.With("Inventory:WebhookSecret", InventoryEvents.Secret);
        using var writer = await factory.CreateStaffClientAsync();
        var id = await writer.CreateItemAsync("Stocked", 5m);
        await using var socket = await WebSocketClient.ConnectAsync(writer.BaseAddress!, "/ws/stock");
        await socket.SendTextAsync($$"""{"subscribe": [{{id}}]}""");
        await socket.ReceiveTextAsync();

        var first = InventoryEvents.Event(id, 17);
        await (await InventoryEvents.PostAsync(writer, first)).ShouldBeJsonAsync(HttpStatusCode.Accepted);
        var pushed = await socket.ReceiveJsonAsync<StockUpdate>();
        Assert.Equal((17, 5m), (pushed.InStock, pushed.Price));

        await (await InventoryEvents.PostAsync(writer, first)).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        // Two events of one item in one delivery: both stored, one push with the last level.
        var batch = InventoryEvents.Batch([InventoryEvents.Event(id, 3), InventoryEvents.Event(id, 4), first]);
        var accepted = await (await InventoryEvents.PostAsync(writer, batch)).ShouldBeJsonAsync<InventoryAccepted>(HttpStatusCode.Accepted);
        Assert.Equal(2, accepted.Accepted);
        Assert.Equal(1, accepted.Duplicates);
        Assert.Equal(4, (await socket.ReceiveJsonAsync<StockUpdate>()).InStock);

        await (await writer.PutAsync($"/items/{id}", JsonContent("""{"name": "Stocked", "price": 6}"""))).ShouldBeJsonAsync();
        var repriced = await socket.ReceiveJsonAsync<StockUpdate>();
        Assert.Equal((6m, 4), (repriced.Price, repriced.InStock));
    }

    [Fact]
    public async Task A_delivery_over_the_event_or_byte_limit_is_refused_whole()
    {
        factory.With("Inventory:WebhookSecret", InventoryEvents.Secret);
        using var client = factory.CreateClient();
        var tooMany = InventoryEvents.Batch(Enumerable.Range(0, 1001).Select(i => InventoryEvents.Event(900, i)));
        var problem = await (await InventoryEvents.PostAsync(client, tooMany)).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("1000", problem.Errors!["body"][0], StringComparison.Ordinal);

        var huge = InventoryEvents.Batch(Enumerable.Range(0, 5000).Select(i => InventoryEvents.Event(900, i)));
        Assert.True(huge.Length > 256 * 1024);
        await (await InventoryEvents.PostAsync(client, huge)).ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge);

        // Neither applied anything: the level is still unknown, so a fresh event for the item is the first.
        var accepted = await (await InventoryEvents.PostAsync(client, InventoryEvents.Event(900, 1))).ShouldBeJsonAsync<InventoryAccepted>(HttpStatusCode.Accepted);
        Assert.Equal(1, accepted.Accepted);
    }

    private static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}

[ServerFree]
public sealed class SqliteInventoryStoreTests(SqliteStorefrontFactory factory)
    : InventoryStoreTests(factory), IClassFixture<SqliteStorefrontFactory>;

public sealed class PostgresInventoryStoreTests(PostgresStorefrontFactory factory)
    : InventoryStoreTests(factory), IClassFixture<PostgresStorefrontFactory>;
