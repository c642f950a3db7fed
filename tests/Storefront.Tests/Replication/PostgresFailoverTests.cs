using System.Collections.Concurrent;
using Storefront.Api.Orders;

namespace Storefront.Tests.Replication;

/// <summary>
/// The primary dies under steady orders and catalog reads; the standby is promoted as an operator (or Patroni) would.
/// The service must find the new primary by itself, answer nothing but 2xx and 503 + Retry-After meanwhile, and keep
/// every order it acknowledged.
/// </summary>
public sealed class PostgresFailoverTests : IAsyncLifetime
{
    private ReplicatedPostgres _servers = null!;

    public async ValueTask InitializeAsync() => _servers = await ReplicatedStorefrontFactory.StartServersAsync();

    public async ValueTask DisposeAsync() => await _servers.DisposeAsync();

    [Fact]
    public async Task Promoting_the_standby_moves_writes_to_it_with_no_500_and_no_acknowledged_order_lost()
    {
        await using var factory = new ReplicatedStorefrontFactory(_servers);
        using var staff = await factory.CreateStaffClientAsync();
        var id = await staff.CreateItemAsync("Durable", 2.00m);
        await (await staff.PutAsJsonAsync($"/items/{id}/stock", new { in_stock = 100_000 })).ShouldBeJsonAsync();
        var buyers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => factory.CreateAuthenticatedClientAsync()));
        using var anonymous = factory.CreateClient();

        var acknowledged = new ConcurrentBag<(HttpClient Buyer, long Order)>();
        var answers = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        async Task BuyAsync(HttpClient buyer)
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await buyer.PostAsJsonAsync("/orders", new { lines = new[] { new { item_id = id, quantity = 1 } } });
                answers.Add(await DescribeAsync(response));
                if (response.StatusCode == HttpStatusCode.Created)
                    acknowledged.Add((buyer, (await response.Content.ReadFromJsonAsync<OrderResponse>(HttpAssertions.Answers))!.Id));
            }
        }
        async Task BrowseAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await anonymous.GetAsync($"/items/{id}");
                answers.Add(await DescribeAsync(response));
            }
        }
        var load = buyers.Select(BuyAsync).Append(BrowseAsync()).ToArray();
        try
        {
            await Eventually.TrueAsync(() => acknowledged.Count >= 10, TimeSpan.FromSeconds(60), "orders are acknowledged before the failover");

            await _servers.KillPrimaryAsync();
            await _servers.PromoteStandbyAsync();
            var before = acknowledged.Count;
            // No restart, no new configuration: the same process finds the promoted server and orders succeed again.
            await Eventually.TrueAsync(() => acknowledged.Count >= before + 10, TimeSpan.FromSeconds(60),
                "orders are acknowledged by the promoted server");
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(load);
        }

        var unexpected = answers.Where(a => !a.StartsWith("200", StringComparison.Ordinal) && !a.StartsWith("201", StringComparison.Ordinal)
                                            && a != "503 Retry-After 2").Distinct().ToList();
        Assert.True(unexpected.Count == 0, "answers other than 200, 201 and 503 + Retry-After: " + string.Join("; ", unexpected));
        // Every acknowledged order is on the new primary: each buyer reads it back (a signed-in read, so from the primary).
        var missing = new List<long>();
        foreach (var (buyer, order) in acknowledged)
            if ((await buyer.GetAsync($"/orders/{order}")).StatusCode != HttpStatusCode.OK) missing.Add(order);
        Assert.True(missing.Count == 0, $"{missing.Count} of {acknowledged.Count} acknowledged orders are gone: {string.Join(", ", missing)}");
        var stored = (long)(await _servers.ScalarAsync(_servers.StandbyPort, "SELECT count(*) FROM orders", "storefront"))!;
        // More may be stored than acknowledged (a commit whose answer the crash cut off), never fewer.
        Assert.True(stored >= acknowledged.Count, $"{stored} orders stored, {acknowledged.Count} acknowledged");
        foreach (var buyer in buyers) buyer.Dispose();
    }

    private static async Task<string> DescribeAsync(HttpResponseMessage response)
    {
        if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            return $"503 Retry-After {response.Headers.RetryAfter?.Delta?.TotalSeconds}";
        return $"{(int)response.StatusCode} {(response.IsSuccessStatusCode ? "" : await response.Content.ReadAsStringAsync())}";
    }
}
