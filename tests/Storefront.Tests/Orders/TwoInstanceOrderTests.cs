using System.Net;
using System.Net.Http.Json;
using Storefront.Tests.Infrastructure;
using Storefront.Tests.Infrastructure.Servers;

namespace Storefront.Tests.Orders;

/// <summary>
/// Two running instances on one PostgreSQL database and one Redis, as behind a load balancer: a lock inside either
/// process would protect nothing here, so exactly-once stock has to come from the database.
/// </summary>
public sealed class TwoInstanceOrderTests : IAsyncLifetime
{
    private PostgresDatabase _database = null!;
    private readonly SqliteStorefrontFactory[] _instances = [new(), new()];

    private SqliteStorefrontFactory First => _instances[0];

    private SqliteStorefrontFactory Second => _instances[1];

    public async ValueTask InitializeAsync()
    {
        _database = await PostgresDatabase.CreateAsync();
        await Migrations.MigrateAsync(_database.ConnectionString);
        var redis = SharedRedis.NextDatabase();
        foreach (var instance in _instances)
            instance.With("ConnectionStrings:Postgres", OrderSupport.SmallPool(_database.ConnectionString)).With("ConnectionStrings:Redis", redis).WithAdmin();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var instance in _instances) await instance.DisposeAsync();
        await _database.DisposeAsync();
    }

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
            var push = await socket.ReceiveJsonAsync(TimeSpan.FromSeconds(120));
            if (push.GetProperty("id").GetInt32() == item && push.GetProperty("price").GetDecimal() == 5m && push.GetProperty("in_stock").GetInt32() == 0) return;
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

/// <summary>Catalog__RequireIfMatch: a write that names no version is refused, so no client overwrites blindly.</summary>
[ServerFree]
public sealed class RequiredIfMatchTests
{
    [Fact]
    public async Task Writes_without_If_Match_are_428_when_it_is_required()
    {
        await using var factory = new SqliteStorefrontFactory();
        factory.With("Catalog:RequireIfMatch", "true");
        using var client = await factory.CreateAuthenticatedClientAsync();
        var id = (await (await client.PostAsJsonAsync("/items", new { name = "Guarded", price = 1m })).ShouldBeJsonAsync(HttpStatusCode.Created))
            .GetProperty("id").GetInt32();
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
        factory.WithAdmin();
        using var anonymous = factory.CreateClient();
        await (await anonymous.PutAsJsonAsync("/items/1/stock", new { in_stock = 5 })).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        using var someone = await factory.CreateAuthenticatedClientAsync();
        await (await someone.PutAsJsonAsync("/items/1/stock", new { in_stock = 5 })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        using var admin = await OrderSupport.AdminClientAsync(factory);
        await (await admin.PutAsJsonAsync("/items/1/stock", new { in_stock = 5 })).ShouldBeJsonAsync();
    }
}
