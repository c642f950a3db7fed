using System.Security.Cryptography;
using System.Text;

namespace Storefront.Tests.Infrastructure;

/// <summary>The inventory system's side of POST /inventory/events: bodies signed with the shared secret as it signs them.</summary>
internal static class InventoryEvents
{
    /// <summary>The secret the test hosts are given (<c>Inventory:WebhookSecret</c>).</summary>
    public const string Secret = "inventory-tests-secret-0123456789abcdef";

    public const string SignatureHeader = "X-Signature-256";

    /// <summary>
    /// <c>t=&lt;unix seconds&gt;,v1=&lt;hex&gt;</c>: the lowercase hex HMAC-SHA256, keyed with the secret's UTF-8, of
    /// <c>"&lt;t&gt;."</c> followed by the body's bytes — written here independently of the service's code, as the
    /// inventory system's authors would from docs/api.md.
    /// </summary>
    public static string Sign(string body, string secret = Secret, DateTimeOffset? at = null)
    {
        var t = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{t}.{body}"));
        return $"t={t},v1={Convert.ToHexStringLower(mac)}";
    }

    public static string NewEventId() => "evt-" + Guid.NewGuid().ToString("N");

    /// <summary>One event's JSON with a fresh event id.</summary>
    public static string Event(int id, int inStock) => Event(id, inStock, NewEventId());

    public static string Event(int id, int inStock, string eventId) =>
        $$"""{"id": {{id}}, "in_stock": {{inStock}}, "event_id": "{{eventId}}"}""";

    /// <summary>One event's JSON without an event id: the service then recognises a redelivery by the whole body.</summary>
    public static string EventWithoutId(int id, int inStock) => $$"""{"id": {{id}}, "in_stock": {{inStock}}}""";

    public static string Batch(IEnumerable<string> events) => "[" + string.Join(",", events) + "]";

    /// <summary>Posts the body with its right signature.</summary>
    public static Task<HttpResponseMessage> PostAsync(HttpClient client, string body) => PostAsync(client, body, Sign(body));

    /// <summary>Posts the body with the given signature header, or none when it is null.</summary>
    public static Task<HttpResponseMessage> PostAsync(HttpClient client, string body, string? signature)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/inventory/events")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (signature is not null) request.Headers.Add(SignatureHeader, signature);
        return client.SendAsync(request);
    }
}
