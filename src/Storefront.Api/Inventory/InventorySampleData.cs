using Storefront.Api.Data;

namespace Storefront.Api.Inventory;

/// <summary>
/// Stock for the sample catalog, so the first order of a first run is served (Inventory__SampleUnits each). Runs after
/// the catalog's sample data (registered later) and only while no item has a level yet, so a real shop's counts are
/// never touched.
/// </summary>
internal sealed class InventorySampleData(IServiceScopeFactory scopes, IOptions<InventoryOptions> options, TimeProvider time) : ISampleData
{
    public string Name => "sample stock levels";

    public async Task<int> SeedAsync(CancellationToken cancellationToken)
    {
        var units = options.Value.SampleUnits;
        if (units == 0) return 0;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorefrontDbContext>();
        if (await StockLedger.AnyAsync(db, cancellationToken)) return 0;
        return await StockLedger.StockUnstockedItemsAsync(db, units, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
    }
}
