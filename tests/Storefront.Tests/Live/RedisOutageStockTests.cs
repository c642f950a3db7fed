using Microsoft.Extensions.Logging;
using Storefront.Api.Live;

namespace Storefront.Tests.Live;

/// <summary>The Redis that relays changes between instances dies: this instance's own subscribers must not notice.</summary>
public sealed class RedisOutageStockTests
{
    [Fact]
    public async Task With_redis_down_local_subscribers_still_get_local_changes_and_the_service_stays_ready()
    {
        await using var redis = await RedisServer.StartAsync();
        var logs = new LogCapture();
        await using var factory = new SqliteStorefrontFactory();
        factory.With("ConnectionStrings:Redis", redis.ConnectionString).With("Inventory:WebhookSecret", InventoryEvents.Secret)
            .WithServices(services => services.AddSingleton<ILoggerProvider>(logs));
        using var writer = await factory.CreateStaffClientAsync();
        var id = await writer.CreateItemAsync("Local", 4.00m);
        await using var subscriber = await WebSocketClient.ConnectAsync(writer.BaseAddress!, "/ws/stock");
        await subscriber.SendTextAsync($$"""{"subscribe": [{{id}}]}""");
        Assert.Equal($$"""{"subscribed":[{{id}}]}""", await subscriber.ReceiveTextAsync());

        await redis.StopAsync();

        await (await InventoryEvents.PostAsync(writer, InventoryEvents.Event(id, 8))).ShouldBeJsonAsync(HttpStatusCode.Accepted);
        var push = await subscriber.ReceiveJsonAsync<StockUpdate>();
        Assert.Equal(8, push.InStock);
        await (await writer.PutAsJsonAsync($"/items/{id}", new { name = "Local", price = 5.00m })).ShouldBeJsonAsync();
        push = await subscriber.ReceiveJsonAsync<StockUpdate>();
        Assert.Equal((5.00m, 8), (push.Price, push.InStock));

        // Ready all along (200: degraded is ready), with the cache check saying what is missing once it has noticed.
        var ready = await Eventually.ValueAsync(async () => await (await writer.GetAsync("/health/ready")).ShouldBeJsonAsync<HealthAnswer>(),
            r => r.Checks["cache"].Status == "degraded", TimeSpan.FromSeconds(30), "/health/ready reports the cache degraded");
        Assert.Equal("degraded", ready.Status);
        // The operator is told that other instances miss these changes.
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("not reaching other instances", StringComparison.Ordinal));
    }
}
