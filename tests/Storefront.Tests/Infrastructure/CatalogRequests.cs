using Storefront.Api.Catalog;

namespace Storefront.Tests.Infrastructure;

/// <summary>
/// A page of GET /items as a client reads it: <see cref="ItemListResponse"/>, whose total members are left out unless
/// a total was asked for (tests of that absence read the JSON itself).
/// </summary>
public sealed record ItemPageAnswer(IReadOnlyList<ItemResponse> Items, string? Next, int Skip, int Limit, long? Total = null, bool? TotalIsEstimate = null);

/// <summary>The catalog calls many tests make on the way to what they test.</summary>
internal static class CatalogRequests
{
    /// <summary>Creates an item as staff (201 or the test fails); its id.</summary>
    public static async Task<int> CreateItemAsync(this HttpClient staff, string name, decimal price) =>
        (await (await staff.PostAsJsonAsync("/items", new { name, price })).ShouldBeJsonAsync<ItemResponse>(HttpStatusCode.Created)).Id;

    /// <summary>A page of GET /items (200 or the test fails).</summary>
    public static async Task<ItemPageAnswer> GetItemsAsync(this HttpClient client, string url) =>
        await (await client.GetAsync(url)).ShouldBeJsonAsync<ItemPageAnswer>();

    /// <summary>GET /items/{id}, which must answer 200.</summary>
    public static async Task<ItemDetailResponse> GetItemAsync(this HttpClient client, int id) =>
        await (await client.GetAsync($"/items/{id}")).ShouldBeJsonAsync<ItemDetailResponse>();
}
