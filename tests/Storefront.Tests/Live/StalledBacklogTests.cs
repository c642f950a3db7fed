using Storefront.Api.Live;

namespace Storefront.Tests.Live;

/// <summary>What the server keeps for a subscriber that does not read, measured in the test process it runs in.</summary>
[Collection(RunAlone.Name)]
[ServerFree]
public sealed class StalledBacklogTests
{
    private const int Items = 1000;
    private const int Rounds = 500;
    private const long Bound = 16 * 1024 * 1024;

    [Fact]
    public async Task A_stalled_subscribers_backlog_stays_bounded_however_many_changes_are_published()
    {
        await using var factory = new SqliteStorefrontFactory();
        // Never dropped during the test, never behind: the outbox alone has to bound what is kept.
        factory.With("WebSockets:SendQueueLimit", Items.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .With("WebSockets:SendTimeoutSeconds", "600").With("WebSockets:KeepAliveSeconds", "600");
        using var client = factory.CreateClient();
        await using var stalled = await WebSocketClient.ConnectAsync(client.BaseAddress!, "/ws/stock");
        await stalled.SendTextAsync(JsonSerializer.Serialize(new { subscribe = Enumerable.Range(1, Items) }));
        Assert.StartsWith("""{"subscribed":""", await stalled.ReceiveTextAsync(), StringComparison.Ordinal);
        var sockets = factory.Services.GetRequiredService<LiveSockets>();
        var bus = factory.Services.GetRequiredService<StockBus>();

        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        // Half a million updates (~85 bytes of JSON each, plus their records): kept one by one they would hold
        // well over 50 MB. The webhook cannot produce them fast enough, so they go through the publishing path it
        // and catalog writes use, in process.
        for (var round = 0; round < Rounds; round++)
        {
            for (var id = 1; id <= Items; id++)
                await bus.PublishAsync(new StockUpdate(id, 19.99m, round, DateTime.UtcNow));
        }

        Assert.Equal(1, sockets.CountOf(LiveEndpoints.StockPath)); // Still open: nothing but the outbox bounded it.
        // Run alone (RunAlone), but the runtime and this host's own background work still allocate now and then:
        // those can be caught in one reading, not in all of them, while this socket's backlog would stay with it.
        var growth = await Eventually.ValueAsync(() => Task.FromResult(GC.GetTotalMemory(forceFullCollection: true) - baseline),
            g => g < Bound, TimeSpan.FromSeconds(20), $"managed memory within {Bound / (1024 * 1024)} MB of where it was before publishing");
        Assert.True(growth < Bound);
        Assert.Equal(1, sockets.CountOf(LiveEndpoints.StockPath));
    }
}
