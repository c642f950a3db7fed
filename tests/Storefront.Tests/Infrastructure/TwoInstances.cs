namespace Storefront.Tests.Infrastructure;

/// <summary>Two running instances (SQLite for nothing but their own files) sharing one fresh, migrated PostgreSQL database.</summary>
public sealed class TwoInstances : IAsyncDisposable
{
    private readonly PostgresDatabase _database;

    private TwoInstances(PostgresDatabase database) => _database = database;

    public SqliteStorefrontFactory First { get; } = new();
    public SqliteStorefrontFactory Second { get; } = new();
    public SqliteStorefrontFactory[] Both => [First, Second];

    /// <param name="connectionString">What each instance is given for the database (a smaller pool, say); the database's own by default.</param>
    public static async Task<TwoInstances> StartAsync(Func<string, string>? connectionString = null)
    {
        var database = await PostgresDatabase.CreateAsync();
        await Migrations.MigrateAsync(database.ConnectionString);
        var instances = new TwoInstances(database);
        foreach (var instance in instances.Both)
            instance.With("ConnectionStrings:Postgres", connectionString?.Invoke(database.ConnectionString) ?? database.ConnectionString);
        return instances;
    }

    public async ValueTask DisposeAsync()
    {
        await First.DisposeAsync();
        await Second.DisposeAsync();
        await _database.DisposeAsync();
    }
}
