using Storefront.Api.Inventory;
using Storefront.Api.Live;

namespace Storefront.Tests.Inventory;

/// <summary>
/// POST /inventory/events. Every refusal is also checked for what it must not do: a subscriber of the item receives
/// nothing from it, shown by the push of a following legitimate event being the next message.
/// </summary>
[ServerFree]
public sealed class InventoryWebhookTests(ConfiguredFactory<InventoryWebhookTests> factory) : ClientTests<ConfiguredFactory<InventoryWebhookTests>>(factory), IClassFixture<ConfiguredFactory<InventoryWebhookTests>>, IHostSettings
{
    public static IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Inventory:WebhookSecret"] = InventoryEvents.Secret,
    };



    [Fact]
    public async Task A_signed_event_is_accepted_and_pushed()
    {
        await using var socket = await SubscribeAsync(501);
        var accepted = await (await InventoryEvents.PostAsync(Client, InventoryEvents.Event(501, 12))).ShouldBeJsonAsync<InventoryAccepted>(HttpStatusCode.Accepted);
        Assert.Equal(1, accepted.Accepted);
        Assert.Equal(0, accepted.Duplicates);
        await NextPushAsync(socket, 501, 12);
    }

    [Fact]
    public async Task A_missing_or_wrong_signature_is_401_and_nothing_is_applied_or_pushed()
    {
        await using var socket = await SubscribeAsync(502);
        var eventId = InventoryEvents.NewEventId();
        var body = InventoryEvents.Event(502, 5, eventId);
        var signed = InventoryEvents.Sign(body);
        var t = signed[2..signed.IndexOf(',', StringComparison.Ordinal)];
        var hex = signed[(signed.IndexOf("v1=", StringComparison.Ordinal) + 3)..];
        var bodyOnly = "sha256=" + Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(InventoryEvents.Secret), System.Text.Encoding.UTF8.GetBytes(body)));
        foreach (var signature in new[]
                 {
                     null, "", "t=", "v1=" + hex, $"t={t}", $"t={t},v1=", InventoryEvents.Sign(body, "another-secret-of-enough-length"),
                     InventoryEvents.Sign(body + " "), $"t={t},v1={hex[..^1]}{(hex[^1] == '0' ? '1' : '0')}", $"t={t},v1={hex[..^2]}",
                     $"t={t},v1=zz{hex[2..]}", $"t={long.Parse(t, System.Globalization.CultureInfo.InvariantCulture) + 1},v1={hex}",
                     $"t=-{t},v1={hex}", $"t={t},t={t},v1={hex}",
                     // The old form, the MAC of the body alone: it has no time, so a captured delivery could be replayed for ever.
                     bodyOnly,
                 })
        {
            using var response = await InventoryEvents.PostAsync(Client, body, signature);
            await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        }
        // Nothing was applied: the same event id is still new.
        var accepted = await (await InventoryEvents.PostAsync(Client, InventoryEvents.Event(502, 6, eventId))).ShouldBeJsonAsync<InventoryAccepted>(HttpStatusCode.Accepted);
        Assert.Equal(1, accepted.Accepted);
        await NextPushAsync(socket, 502, 6);
    }

    [Fact]
    public async Task A_delivery_signed_outside_the_tolerance_is_401_even_with_a_right_mac()
    {
        await using var socket = await SubscribeAsync(509);
        var eventId = InventoryEvents.NewEventId();
        var body = InventoryEvents.Event(509, 7, eventId);
        // The default tolerance is 5 minutes either way: a captured delivery replayed later, and one from a clock far ahead.
        foreach (var at in new[] { TimeSpan.FromMinutes(-6), TimeSpan.FromHours(-2), TimeSpan.FromMinutes(6), TimeSpan.FromDays(1) })
        {
            var problem = await (await InventoryEvents.PostAsync(Client, body, InventoryEvents.Sign(body, at: DateTimeOffset.UtcNow + at)))
                .ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
            Assert.Contains("300 s", problem.Detail, StringComparison.Ordinal);
        }
        // Within it (a sender's clock a little off either way): accepted.
        var late = InventoryEvents.Event(509, 8);
        await PostAsync(late, InventoryEvents.Sign(late, at: DateTimeOffset.UtcNow.AddMinutes(-4)));
        await NextPushAsync(socket, 509, 8);
        var level = InventoryEvents.Event(509, 9, eventId);
        await PostAsync(level, InventoryEvents.Sign(level, at: DateTimeOffset.UtcNow.AddMinutes(4)));
        await NextPushAsync(socket, 509, 9);
    }

    [Fact]
    public async Task A_level_above_the_bound_every_path_shares_is_400()
    {
        await (await InventoryEvents.PostAsync(Client, InventoryEvents.Event(510, int.MaxValue))).ShouldBeValidationProblemAsync("in_stock");
        await (await InventoryEvents.PostAsync(Client, InventoryEvents.Event(510, 1_000_000_001))).ShouldBeValidationProblemAsync("in_stock");
        await PostAsync(InventoryEvents.Event(510, 1_000_000_000));
    }

    [Fact]
    public async Task A_redelivery_is_409_and_not_pushed_again()
    {
        await using var socket = await SubscribeAsync(503);
        var body = InventoryEvents.Event(503, 30);
        await (await InventoryEvents.PostAsync(Client, body)).ShouldBeJsonAsync(HttpStatusCode.Accepted);
        await NextPushAsync(socket, 503, 30);

        await (await InventoryEvents.PostAsync(Client, body)).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        // The same event id in another body (a sender that re-serialised it) is the same event.
        var reworded = body.Replace(": ", ":", StringComparison.Ordinal);
        await (await InventoryEvents.PostAsync(Client, reworded)).ShouldBeProblemAsync(HttpStatusCode.Conflict);

        await PostAsync(InventoryEvents.Event(503, 31));
        await NextPushAsync(socket, 503, 31);
    }

    [Fact]
    public async Task A_batch_with_one_new_and_one_applied_event_accepts_the_new_one_only()
    {
        await using var socket = await SubscribeAsync(504, 505);
        var old = InventoryEvents.Event(504, 40);
        await PostAsync(old);
        await NextPushAsync(socket, 504, 40);

        var accepted = await (await InventoryEvents.PostAsync(Client, InventoryEvents.Batch([old, InventoryEvents.Event(505, 50)])))
            .ShouldBeJsonAsync<InventoryAccepted>(HttpStatusCode.Accepted);
        Assert.Equal(1, accepted.Accepted);
        Assert.Equal(1, accepted.Duplicates);
        // The old event came first in the batch: had it been pushed again, it would be the next message.
        await NextPushAsync(socket, 505, 50);
        await PostAsync(InventoryEvents.Event(504, 41));
        await NextPushAsync(socket, 504, 41);
    }

    [Fact]
    public async Task Without_event_ids_the_identical_body_replayed_is_409_and_a_different_one_is_applied()
    {
        await using var socket = await SubscribeAsync(506);
        var body = InventoryEvents.Batch([InventoryEvents.EventWithoutId(506, 60), InventoryEvents.EventWithoutId(506, 61)]);
        var accepted = await (await InventoryEvents.PostAsync(Client, body)).ShouldBeJsonAsync<InventoryAccepted>(HttpStatusCode.Accepted);
        Assert.Equal(2, accepted.Accepted);
        await NextPushAsync(socket, 506, 61); // Several events of one item in a delivery: one push, the last level.

        await (await InventoryEvents.PostAsync(Client, body)).ShouldBeProblemAsync(HttpStatusCode.Conflict);

        await PostAsync(InventoryEvents.EventWithoutId(506, 62));
        await NextPushAsync(socket, 506, 62);
    }

    [Theory]
    [InlineData("""{"id": 0, "in_stock": 1}""", "id")]
    [InlineData("""{"id": 507, "in_stock": -1}""", "in_stock")]
    [InlineData("""{"id": 507}""", "in_stock")]
    [InlineData("""{"in_stock": 3}""", "id")]
    [InlineData("""{"id": 507, "in_stock": 1, "event_id": "has space"}""", "event_id")]
    [InlineData("""{"id": 507, "in_stock": 1, "event_id": ""}""", "event_id")]
    [InlineData("""[{"id": 507, "in_stock": 1}, {"id": -2, "in_stock": 1}]""", "[1].id")]
    [InlineData("""{"id": "507", "in_stock": 1}""", "body")]
    [InlineData("""{"id": 507, "in_stock": 1, "colour": "red"}""", "body")]
    [InlineData("[]", "body")]
    [InlineData("not json", "body")]
    public async Task Invalid_fields_are_400_naming_them_and_nothing_is_pushed(string body, string field)
    {
        await using var socket = await SubscribeAsync(507);
        await (await InventoryEvents.PostAsync(Client, body)).ShouldBeValidationProblemAsync(field);
        var level = Random.Shared.Next(1000, 100_000);
        await PostAsync(InventoryEvents.Event(507, level));
        await NextPushAsync(socket, 507, level);
    }

    [Fact]
    public async Task Without_a_secret_the_webhook_is_503()
    {
        await using var unset = new SqliteStorefrontFactory();
        using var client = unset.CreateClient();
        var body = InventoryEvents.Event(508, 1);
        await (await InventoryEvents.PostAsync(client, body)).ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable);
        await (await InventoryEvents.PostAsync(client, body, null)).ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable);
    }

    private async Task PostAsync(string body, string? signature = null) =>
        await (await InventoryEvents.PostAsync(Client, body, signature ?? InventoryEvents.Sign(body))).ShouldBeJsonAsync(HttpStatusCode.Accepted);

    private async Task<WebSocketClient> SubscribeAsync(params int[] ids)
    {
        var socket = await WebSocketClient.ConnectAsync(Client.BaseAddress!, "/ws/stock");
        await socket.SendTextAsync(System.Text.Json.JsonSerializer.Serialize(new { subscribe = ids }));
        Assert.StartsWith("""{"subscribed":""", await socket.ReceiveTextAsync(), StringComparison.Ordinal);
        return socket;
    }

    private static async Task NextPushAsync(WebSocketClient socket, int id, int inStock)
    {
        var push = await socket.ReceiveJsonAsync<StockUpdate>();
        Assert.True(push.Id == id && push.InStock == inStock,
            $"expected item {id} at {inStock} next, got {push}");
    }
}
