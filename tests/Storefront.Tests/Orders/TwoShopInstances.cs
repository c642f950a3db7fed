namespace Storefront.Tests.Orders;

/// <summary>
/// Two running instances on one fresh PostgreSQL database and one Redis database, with the inventory webhook on; a
/// test class adds its own <see cref="Settings"/> for both.
/// </summary>
public abstract class TwoShopInstances : IAsyncLifetime
{
    private PostgresDatabase _database = null!;

    protected SqliteStorefrontFactory[] Instances { get; } = [new(), new()];

    protected virtual IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>();

    public async ValueTask InitializeAsync()
    {
        _database = await PostgresDatabase.CreateAsync();
        await Migrations.MigrateAsync(_database.ConnectionString);
        var redis = SharedRedis.NextDatabase();
        foreach (var instance in Instances)
            instance.With("ConnectionStrings:Postgres", OrderSupport.SmallPool(_database.ConnectionString)).With("ConnectionStrings:Redis", redis)
                .With("Inventory:WebhookSecret", InventoryEvents.Secret).With(Settings);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var instance in Instances) await instance.DisposeAsync();
        await _database.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
