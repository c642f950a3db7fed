using Microsoft.EntityFrameworkCore;
using Npgsql;
using Storefront.Api.Data;
using Storefront.Api.Inventory;
using Storefront.Api.Jobs;
using Storefront.Api.Orders;

namespace Storefront.Tests.Orders;

/// <summary>
/// PostgreSQL's two-round-trip order: its second round trip is one batch that PostgreSQL runs as one transaction, so a
/// reservation refused at the batch's end keeps nothing that was sent before it.
/// </summary>
public sealed class PostgresOrderBatchTests(PostgresStorefrontFactory factory) : IClassFixture<PostgresStorefrontFactory>
{
    [Fact]
    public async Task A_reservation_refused_at_the_end_of_the_batch_keeps_no_order_line_mail_or_unit()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        using var admin = await OrderSupport.AdminClientAsync(factory);
        var item = await OrderSupport.StockedItemAsync(admin, 10, 4.25m);
        using var buyer = await factory.CreateAuthenticatedClientAsync();
        var first = await OrderSupport.PlacedAsync(buyer, (item, 1));

        await using var scope = factory.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<StorefrontDbContext>();
        var userId = await db.Orders.Where(o => o.Id == first.Id).Select(o => o.UserId).SingleAsync(cancellationToken);
        var (orders, lines, jobs) = await CountAsync(db, cancellationToken);

        // The units are there, so the read lets the order through; the reservation then finds the item at another
        // version (as when its price changed in between) and fails, after the order, its lines and its mail were sent.
        var stale = ActivatorUtilities.CreateInstance<PostgresOrderBatch>(services, new OtherVersionStock(services.GetRequiredService<IStock>()));
        Assert.Null(await stale.TryPlaceAsync(userId, [(item, 2)], cancellationToken));
        Assert.Equal((orders, lines, jobs), await CountAsync(db, cancellationToken));
        Assert.Equal(9, await OrderSupport.InStockAsync(buyer, item));

        // The same batch with the stock as it is: all of it, once.
        var outcome = await ActivatorUtilities.CreateInstance<PostgresOrderBatch>(services).TryPlaceAsync(userId, [(item, 2)], cancellationToken);
        var placed = Assert.IsType<PlaceOutcome.Placed>(outcome).Order;
        Assert.Equal((8.50m, 2, 4.25m), (placed.Total, Assert.Single(placed.Lines).Quantity, placed.Lines[0].Price));
        Assert.Equal((orders + 1, lines + 1, jobs + 1), await CountAsync(db, cancellationToken));
        Assert.Equal(1, await OrderSupport.ConfirmationJobsAsync(factory.Services, new HashSet<long> { placed.Id }));
        Assert.Equal(7, await OrderSupport.InStockAsync(buyer, item));
        var stored = await (await buyer.GetAsync($"/orders/{placed.Id}", cancellationToken)).ShouldBeJsonAsync<OrderResponse>();
        Assert.Equal(8.50m, stored.Total);
    }

    private static async Task<(int Orders, int Lines, int Jobs)> CountAsync(StorefrontDbContext db, CancellationToken cancellationToken) =>
        (await db.Orders.CountAsync(cancellationToken), await db.Orders.SelectMany(o => o.Lines).CountAsync(cancellationToken),
            await db.Jobs.CountAsync(cancellationToken));

    /// <summary>The real stock, except that every reservation expects another version of the item than the one read.</summary>
    private sealed class OtherVersionStock(IStock inner) : IStock
    {
        public NpgsqlBatchCommand ReserveCommand(int itemId, int quantity, int itemVersion) => inner.ReserveCommand(itemId, quantity, itemVersion + 1);

        public Task<int?> TryReserveAsync(StorefrontDbContext db, int itemId, int quantity, int itemVersion, CancellationToken cancellationToken) =>
            inner.TryReserveAsync(db, itemId, quantity, itemVersion, cancellationToken);

        public bool CanReserveAndCommit(StorefrontDbContext db) => inner.CanReserveAndCommit(db);

        public Task<int?> TryReserveAndCommitAsync(StorefrontDbContext db, int itemId, int quantity, int itemVersion, CancellationToken cancellationToken) =>
            inner.TryReserveAndCommitAsync(db, itemId, quantity, itemVersion, cancellationToken);

        public Task<int> ReleaseAsync(StorefrontDbContext db, int itemId, int quantity, CancellationToken cancellationToken) =>
            inner.ReleaseAsync(db, itemId, quantity, cancellationToken);

        public Task<Dictionary<int, int>> AvailableAsync(StorefrontDbContext db, IReadOnlyList<int> itemIds, CancellationToken cancellationToken) =>
            inner.AvailableAsync(db, itemIds, cancellationToken);

        public ValueTask PublishAsync(int itemId, decimal? price, int available) => inner.PublishAsync(itemId, price, available);
    }
}
