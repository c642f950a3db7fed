using System.Net.Http.Headers;
using Microsoft.EntityFrameworkCore;
using Storefront.Api.Catalog;
using Storefront.Api.Data;
using Storefront.Api.Email;
using Storefront.Api.Jobs;
using Storefront.Api.Orders;

namespace Storefront.Tests.Orders;

internal static class OrderSupport
{
    /// <summary>The admin of every order test host: registered once per database and granted the admin role.</summary>
    public const string Admin = "stock_admin";

    /// <summary>
    /// A small connection pool: these tests send a thousand requests at once, and the test server's 300 connections
    /// are shared with every class running meanwhile. Requests wait for a pooled connection instead, as long as the
    /// tests' request deadline (a loaded machine takes minutes for the thousand).
    /// </summary>
    public static string SmallPool(string connectionString) =>
        new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = 20, Timeout = 300 }.ConnectionString;

    /// <summary>A client of the admin: registered on first use in this database, logged in every time.</summary>
    public static Task<HttpClient> AdminClientAsync(StorefrontFactory factory) => factory.CreateAdminClientAsync(Admin);

    /// <summary>A new catalog item with this many units in stock (set by the admin); its id.</summary>
    public static async Task<int> StockedItemAsync(HttpClient admin, int units, decimal price = 2.50m)
    {
        var id = await admin.CreateItemAsync("Stocked", price);
        await (await admin.PutAsJsonAsync($"/items/{id}/stock", new { in_stock = units })).ShouldBeJsonAsync();
        return id;
    }

    public static async Task<int> InStockAsync(HttpClient client, int itemId) =>
        (await (await client.GetAsync($"/items/{itemId}")).ShouldBeJsonAsync<ItemDetailResponse>()).InStock;

    /// <summary>Places an order that must succeed; the order as its 201 shows it.</summary>
    public static async Task<OrderResponse> PlacedAsync(HttpClient client, params (int ItemId, int Quantity)[] lines) =>
        await (await OrderAsync(client, null, lines)).ShouldBeJsonAsync<OrderResponse>(HttpStatusCode.Created);

    public static Task<HttpResponseMessage> OrderAsync(HttpClient client, string? idempotencyKey, params (int ItemId, int Quantity)[] lines)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/orders")
        {
            Content = JsonContent.Create(new { lines = lines.Select(l => new { item_id = l.ItemId, quantity = l.Quantity }) }),
        };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return client.SendAsync(request);
    }

    /// <summary>Buyers: fresh users with their own tokens, sharing one host.</summary>
    public static async Task<List<HttpClient>> BuyersAsync(StorefrontFactory factory, int count)
    {
        var buyers = new List<HttpClient>();
        // As long as the tests' request deadline: the last of a thousand orders of one item may wait minutes for the row
        // on a machine busy with the rest of the suite.
        for (var i = 0; i < count; i++) buyers.Add(await factory.CreateAuthenticatedClientAsync(TimeSpan.FromSeconds(330)));
        return buyers;
    }

    /// <summary>The order-confirmation jobs stored for these orders.</summary>
    public static async Task<int> ConfirmationJobsAsync(IServiceProvider services, IReadOnlySet<long> orderIds)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorefrontDbContext>();
        var payloads = await db.Jobs.Where(j => j.Kind == OrderConfirmationHandler.JobKind).Select(j => j.Payload).ToListAsync();
        return payloads.Count(p => orderIds.Contains(JsonSerializer.Deserialize(p, EmailJsonContext.Default.OrderConfirmationPayload)!.OrderId));
    }

    /// <summary>
    /// Fires every request at once and returns the answers: status and, for 201s, the order's id.
    /// </summary>
    public static async Task<List<(HttpStatusCode Status, long? OrderId)>> BuyAllAsync(IReadOnlyList<HttpClient> clients, int requests, int itemId)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var buys = Enumerable.Range(0, requests).Select(async i =>
        {
            await start.Task;
            using var response = await OrderAsync(clients[i % clients.Count], null, (itemId, 1));
            if (response.StatusCode != HttpStatusCode.Created)
            {
                Assert.True(response.StatusCode == HttpStatusCode.Conflict, $"buy {i}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                return (response.StatusCode, (long?)null);
            }
            var order = await response.ShouldBeJsonAsync<OrderResponse>(HttpStatusCode.Created);
            return (response.StatusCode, (long?)order.Id);
        }).ToList();
        start.SetResult();
        return [.. await Task.WhenAll(buys)];
    }
}
