using System.Globalization;
using Storefront.Api.Live;

namespace Storefront.Tests.Live;

/// <summary>/ws/stock: subscriptions, and the pushes that catalog writes and inventory events produce.</summary>
[ServerFree]
public sealed class StockFeedTests(ConfiguredFactory<StockFeedTests> factory) : StaffClientTests(factory), IClassFixture<ConfiguredFactory<StockFeedTests>>, IHostSettings
{
    public const int MaxSubscriptions = 5;

    /// <summary>The webhook on, and a small subscription limit so "too many" is cheap to reach.</summary>
    public static IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Inventory:WebhookSecret"] = InventoryEvents.Secret,
        ["WebSockets:MaxSubscriptions"] = MaxSubscriptions.ToString(CultureInfo.InvariantCulture),
    };

    [Fact]
    public async Task Subscribe_and_unsubscribe_are_acknowledged_with_the_ids_once_each()
    {
        await using var socket = await ConnectAsync();
        await socket.SendTextAsync("""{"subscribe": [1, 7, 7]}""");
        Assert.Equal("""{"subscribed":[1,7]}""", await socket.ReceiveTextAsync());
        await socket.SendTextAsync("""{"unsubscribe": [7]}""");
        Assert.Equal("""{"unsubscribed":[7]}""", await socket.ReceiveTextAsync());
        await socket.SendTextAsync("""{"subscribe": [2], "unsubscribe": [1]}""");
        Assert.Equal("""{"subscribed":[2],"unsubscribed":[1]}""", await socket.ReceiveTextAsync());
    }

    [Fact]
    public async Task A_price_change_is_pushed_with_the_id_and_the_new_price()
    {
        var id = await CreateItemAsync(10.00m);
        await using var socket = await SubscribeAsync(id);
        var before = DateTime.UtcNow;

        await PutAsync(id, 12.50m);

        var json = await socket.ReceiveJsonAsync();
        var push = json.Deserialize<StockUpdate>(HttpAssertions.Answers)!;
        Assert.Equal(id, push.Id);
        Assert.Equal(12.50m, push.Price);
        Assert.Null(push.InStock); // The inventory system has not reported it yet.
        // The wire shape itself: the time as UTC with its Z, and no deleted member at all.
        var at = json.GetProperty("at").GetString()!;
        Assert.EndsWith("Z", at, StringComparison.Ordinal);
        var time = DateTime.Parse(at, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        Assert.InRange(time, before.AddMinutes(-1), DateTime.UtcNow.AddMinutes(1));
        Assert.False(json.TryGetProperty("deleted", out _));
    }

    [Fact]
    public async Task An_inventory_event_is_pushed_with_the_stock_level_and_later_changes_keep_it()
    {
        var id = await CreateItemAsync(19.99m);
        await using var socket = await SubscribeAsync(id);

        await PostEventAsync(id, 42);
        var push = await socket.ReceiveJsonAsync<StockUpdate>();
        Assert.Equal((id, 19.99m, 42), (push.Id, push.Price, push.InStock));

        // A catalog write afterwards reports the last level the inventory system gave.
        await PutAsync(id, 21m);
        push = await socket.ReceiveJsonAsync<StockUpdate>();
        Assert.Equal((21m, 42), (push.Price, push.InStock));
    }

    [Fact]
    public async Task After_unsubscribing_an_item_its_changes_are_no_longer_pushed()
    {
        var dropped = await CreateItemAsync(5m);
        var kept = await CreateItemAsync(6m);
        await using var socket = await SubscribeAsync(dropped, kept);
        await socket.SendTextAsync($$"""{"unsubscribe": [{{dropped}}]}""");
        Assert.Equal($$"""{"unsubscribed":[{{dropped}}]}""", await socket.ReceiveTextAsync());

        // Changed first, the unsubscribed item would be pushed first: the next message being the other one's shows it was not.
        await PutAsync(dropped, 5.5m);
        await PutAsync(kept, 6.5m);
        var push = await socket.ReceiveJsonAsync<StockUpdate>();
        Assert.Equal((kept, 6.5m), (push.Id, push.Price));
    }

    [Fact]
    public async Task Deleting_an_item_pushes_deleted_true_and_a_null_price()
    {
        var id = await CreateItemAsync(3m);
        await using var socket = await SubscribeAsync(id);

        Assert.Equal(HttpStatusCode.NoContent, (await Staff.DeleteAsync($"/items/{id}")).StatusCode);

        var push = await socket.ReceiveJsonAsync<StockUpdate>();
        Assert.Equal(id, push.Id);
        Assert.True(push.Deleted);
        Assert.Null(push.Price);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{}")]
    [InlineData("""{"subscribe": "7"}""")]
    [InlineData("""{"subscribe": [7], "extra": 1}""")]
    [InlineData("""{"subscribe": [0]}""")]
    [InlineData("""{"unsubscribe": [-3]}""")]
    public async Task A_message_that_cannot_be_used_gets_an_error_and_the_socket_stays_usable(string message)
    {
        await using var socket = await ConnectAsync();
        await socket.SendTextAsync(message);
        var answer = await socket.ReceiveJsonAsync<StockError>();
        Assert.False(string.IsNullOrWhiteSpace(answer.Error), answer.ToString());

        var id = await CreateItemAsync(1m);
        await socket.SendTextAsync($$"""{"subscribe": [{{id}}]}""");
        Assert.Equal($$"""{"subscribed":[{{id}}]}""", await socket.ReceiveTextAsync());
        await PutAsync(id, 2m);
        Assert.Equal(id, (await socket.ReceiveJsonAsync<StockUpdate>()).Id);
    }

    [Fact]
    public async Task More_subscriptions_than_the_limit_get_an_error_and_keep_the_ones_before()
    {
        await using var socket = await ConnectAsync();
        var ids = Enumerable.Range(100, MaxSubscriptions).ToArray();
        await socket.SendTextAsync(JsonSerializer.Serialize(new { subscribe = ids }));
        Assert.Equal(JsonSerializer.Serialize(new { subscribed = ids }), await socket.ReceiveTextAsync());

        await socket.SendTextAsync("""{"subscribe": [99]}""");
        var error = (await socket.ReceiveJsonAsync<StockError>()).Error;
        Assert.Contains(MaxSubscriptions.ToString(CultureInfo.InvariantCulture), error, StringComparison.Ordinal);
        // The refused subscription left nothing behind: a change of 99 is not pushed (the next push is 100's).
        await PostEventAsync(99, 1);
        await PostEventAsync(100, 1);
        Assert.Equal(100, (await socket.ReceiveJsonAsync<StockUpdate>()).Id);

        // An id already followed does not count twice, and making room lets the new one in.
        await socket.SendTextAsync("""{"subscribe": [100]}""");
        Assert.Equal("""{"subscribed":[100]}""", await socket.ReceiveTextAsync());
        await socket.SendTextAsync("""{"unsubscribe": [100], "subscribe": [99]}""");
        Assert.Equal("""{"subscribed":[99],"unsubscribed":[100]}""", await socket.ReceiveTextAsync());
        await PostEventAsync(99, 2);
        Assert.Equal(99, (await socket.ReceiveJsonAsync<StockUpdate>()).Id);
    }

    private Task<WebSocketClient> ConnectAsync() => WebSocketClient.ConnectAsync(Staff.BaseAddress!, "/ws/stock");

    private async Task<WebSocketClient> SubscribeAsync(params int[] ids)
    {
        var socket = await ConnectAsync();
        await socket.SendTextAsync(JsonSerializer.Serialize(new { subscribe = ids }));
        Assert.Equal(JsonSerializer.Serialize(new { subscribed = ids }), await socket.ReceiveTextAsync());
        return socket;
    }

    private Task<int> CreateItemAsync(decimal price) => Staff.CreateItemAsync($"Live {Guid.NewGuid():N}", price);

    private async Task PostEventAsync(int id, int inStock) =>
        await (await InventoryEvents.PostAsync(Staff, InventoryEvents.Event(id, inStock))).ShouldBeJsonAsync(HttpStatusCode.Accepted);

    private async Task PutAsync(int id, decimal price) =>
        await (await Staff.PutAsJsonAsync($"/items/{id}", new { name = $"Live {id}", price })).ShouldBeJsonAsync();
}
