namespace Storefront.Tests.Orders;

/// <summary>
/// Two running instances (<see cref="TwoInstances"/>) sharing one PostgreSQL and one Redis database, with the inventory
/// webhook on; a test class adds its own <see cref="Settings"/> for both.
/// </summary>
public abstract class TwoShopInstances : IAsyncLifetime
{
    private TwoInstances? _instances;

    protected SqliteStorefrontFactory[] Instances => _instances!.Both;

    protected virtual IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>();

    public async ValueTask InitializeAsync()
    {
        _instances = await TwoInstances.StartAsync(OrderSupport.SmallPool);
        var redis = SharedRedis.NextDatabase();
        foreach (var instance in Instances)
            instance.With("ConnectionStrings:Redis", redis).With("Inventory:WebhookSecret", InventoryEvents.Secret).With(Settings);
    }

    public async ValueTask DisposeAsync()
    {
        if (_instances is not null) await _instances.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
