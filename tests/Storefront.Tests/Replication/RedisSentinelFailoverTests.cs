using Storefront.Api.Live;

namespace Storefront.Tests.Replication;

/// <summary>
/// Two instances find Redis through Sentinel; the master is killed and Sentinel promotes the replica. The stock relay
/// between the instances (pub/sub), the cache and the shared rate limits must follow the new master by themselves.
/// </summary>
public sealed class RedisSentinelFailoverTests : IAsyncLifetime
{
    private const int Item = 910;

    private SentinelRedis _redis = null!;

    public async ValueTask InitializeAsync() => _redis = await SentinelRedis.StartAsync();

    public async ValueTask DisposeAsync() => await _redis.DisposeAsync();

    [Fact]
    public async Task The_stock_relay_cache_and_rate_limits_follow_a_Sentinel_failover()
    {
        await using var a = Instance();
        await using var b = Instance();
        using var writer = a.CreateClient();
        using var reader = b.CreateClient();
        await using var subscriber = await WebSocketClient.ConnectAsync(reader.BaseAddress!, "/ws/stock");
        await subscriber.SendTextAsync($$"""{"subscribe": [{{Item}}]}""");
        Assert.Equal($$"""{"subscribed":[{{Item}}]}""", await subscriber.ReceiveTextAsync());

        await RelayedAsync(writer, subscriber, 1);
        await Eventually.TrueAsync(async () => await UsesRedisAsync(reader), TimeSpan.FromSeconds(30), "B's cache and limits use Redis");

        var old = await _redis.KillMasterAsync();
        await Eventually.TrueAsync(async () => await _redis.MasterPortAsync() is { } port && port != old, TimeSpan.FromSeconds(60),
            "Sentinel promotes the replica");

        // The same processes, no new configuration: a change on A reaches B's subscriber again (B subscribed anew on
        // the new master), and both features that share state through Redis use it again.
        await RelayedAsync(writer, subscriber, 2);
        await Eventually.TrueAsync(async () => await UsesRedisAsync(reader) && await UsesRedisAsync(writer), TimeSpan.FromSeconds(60),
            "the cache and the shared limits use the new master");
    }

    private SqliteStorefrontFactory Instance()
    {
        var factory = new SqliteStorefrontFactory();
        factory.With("ConnectionStrings:Redis", _redis.ConnectionString).With("Inventory:WebhookSecret", InventoryEvents.Secret);
        return factory;
    }

    // Changes made while the relay is down are not replayed (subscribers read the level afresh on reconnecting), so
    // the writer keeps sending new levels until one arrives.
    private static async Task RelayedAsync(HttpClient writer, WebSocketClient subscriber, int round)
    {
        var level = round * 1000;
        await Eventually.TrueAsync(async () =>
        {
            level++;
            await (await InventoryEvents.PostAsync(writer, InventoryEvents.Event(Item, level))).ShouldBeJsonAsync(HttpStatusCode.Accepted);
            while (true)
            {
                var push = await subscriber.ReceiveJsonAsync<StockUpdate>(TimeSpan.FromSeconds(2));
                if (push.InStock == level) return true;
            }
        }, TimeSpan.FromSeconds(90), $"a change on A reaches B's subscriber (round {round})", typeof(TimeoutException), typeof(OperationCanceledException));
    }

    private static async Task<bool> UsesRedisAsync(HttpClient client)
    {
        var checks = (await (await client.GetAsync("/health/ready")).ShouldBeJsonAsync<HealthAnswer>()).Checks;
        return checks.GetValueOrDefault("cache")?.Status == "healthy"
               && checks.GetValueOrDefault("rate_limits") is { Status: "healthy", Description: "redis" };
    }
}
