using Storefront.Api.Data;

namespace Storefront.Tests.Replication;

/// <summary>
/// Which reads the standby serves: anonymous catalog reads while its lag is within the bound; signed-in callers and
/// every read once the lag is beyond it go to the primary. The lag is made real by pausing the standby's replay.
/// </summary>
public sealed class StandbyReadTests : IAsyncLifetime
{
    private ReplicatedPostgres _servers = null!;

    public async ValueTask InitializeAsync() => _servers = await ReplicatedStorefrontFactory.StartServersAsync();

    public async ValueTask DisposeAsync() => await _servers.DisposeAsync();

    [Fact]
    public async Task Anonymous_catalog_reads_come_from_the_standby_within_the_lag_bound_and_from_the_primary_beyond_it()
    {
        // Two instances on the same servers, one tolerating ten minutes of lag, the other one second.
        await using var tolerant = new ReplicatedStorefrontFactory(_servers);
        tolerant.With("Database:MaxStandbyLagMs", "600000");
        await using var strict = new ReplicatedStorefrontFactory(_servers);
        strict.With("Database:MaxStandbyLagMs", "1000");
        using var staff = await tolerant.CreateStaffClientAsync();
        using var anonymous = tolerant.CreateClient();
        using var strictAnonymous = strict.CreateClient();

        var id = await staff.CreateItemAsync("Before", 1.00m);
        // The synchronous standby has the commit already; wait until it is applied there and the lag is measured small.
        var lag = tolerant.Services.GetRequiredService<ReplicationLag>();
        await Eventually.TrueAsync(async () => lag.Current is { } current && current < TimeSpan.FromSeconds(1)
            && await NameAsync(anonymous, id) == "Before", TimeSpan.FromSeconds(30), "the standby serves the new item");

        await _servers.PauseReplayAsync();
        try
        {
            await (await staff.PutAsJsonAsync($"/items/{id}", new { name = "After", price = 1.00m })).ShouldBeJsonAsync();

            // The writer sees its own write (the primary); an anonymous reader, within the bound, the standby's older copy.
            Assert.Equal("After", await NameAsync(staff, id));
            Assert.Equal("Before", await NameAsync(anonymous, id));
            Assert.Contains((await anonymous.GetItemsAsync("/items?q=Before")).Items, item => item.Id == id);

            // The lag grows while replay is paused, as the probe measures it (and /metrics exports it); past one
            // second the strict instance reads the primary even for anonymous callers.
            await Eventually.TrueAsync(() => lag.Current > TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), "the probe measures the lag");
            await Eventually.TrueAsync(async () => await NameAsync(strictAnonymous, id) == "After", TimeSpan.FromSeconds(30),
                "beyond the bound, anonymous reads go to the primary");
            var metrics = await (await anonymous.GetAsync("/metrics")).Content.ReadAsStringAsync();
            Assert.Contains("storefront_db_replication_lag_seconds", metrics, StringComparison.Ordinal);
            Assert.Equal("Before", await NameAsync(anonymous, id));
        }
        finally
        {
            await _servers.ResumeReplayAsync();
        }
        await Eventually.TrueAsync(async () => await NameAsync(anonymous, id) == "After", TimeSpan.FromSeconds(30), "the standby catches up");
    }

    private static async Task<string?> NameAsync(HttpClient client, int id) =>
        (await client.GetItemAsync(id)).Name;
}
