namespace Storefront.Tests.Files;

/// <summary>
/// Where the hosts of a files test keep their rows. Every files test starts hosts of its own (their settings differ,
/// and each needs a Storage:Path of its own to look into), so the class fixture is the database, not the host: nothing
/// for SQLite (its file is in each host's folder), one migrated PostgreSQL database per test class.
/// </summary>
public abstract class UploadsDatabase
{
    /// <summary>
    /// A host on this store with a Storage:Path of its own (the SQLite factory's folder; on PostgreSQL that folder holds
    /// only the uploads). Settings may be added until its first client.
    /// </summary>
    internal SqliteStorefrontFactory NewHost()
    {
        var host = new SqliteStorefrontFactory();
        Configure(host);
        return host;
    }

    protected virtual void Configure(StorefrontFactory host)
    {
    }
}

public sealed class SqliteUploadsDatabase : UploadsDatabase;

public sealed class PostgresUploadsDatabase : UploadsDatabase, IAsyncLifetime
{
    private PostgresDatabase _database = null!;

    public async ValueTask InitializeAsync()
    {
        _database = await PostgresDatabase.CreateAsync();
        await Migrations.MigrateAsync(_database.ConnectionString);
    }

    public async ValueTask DisposeAsync() => await _database.DisposeAsync();

    protected override void Configure(StorefrontFactory host) => host.With("ConnectionStrings:Postgres", _database.ConnectionString);
}
