using Npgsql;

namespace Storefront.Tests.Infrastructure;

/// <summary>
/// A fresh database on the run's real PostgreSQL server (<see cref="TestServers"/>), dropped when the test class is
/// done. There is deliberately no fallback: without the server these tests fail.
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    private readonly string _adminConnectionString;

    private PostgresDatabase(string adminConnectionString, string name)
    {
        _adminConnectionString = adminConnectionString;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = name }.ToString();
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public static async Task<PostgresDatabase> CreateAsync()
    {
        var admin = await TestServers.PostgresAsync();
        var database = new PostgresDatabase(admin, $"storefront_test_{Guid.NewGuid():N}");
        await database.ExecuteAsync($"CREATE DATABASE \"{database.Name}\"");
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        // FORCE ends the sessions still open, but on a loaded machine a session may take longer to end than the
        // server waits (55006), and the admin connection may find every slot taken for a moment (53300).
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                await ExecuteAsync($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");
                return true;
            }
            catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.ObjectInUse or PostgresErrorCodes.TooManyConnections)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), $"dropping test database {Name}");
    }

    /// <summary>
    /// Ends every client session on this database, as a PostgreSQL restart does to the service's pooled connections. Only
    /// client sessions: an autovacuum worker on the database belongs to the superuser, and ending it is refused (42501).
    /// </summary>
    public Task TerminateSessionsAsync() =>
        ExecuteAsync($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{Name}' AND pid <> pg_backend_pid() " +
                     "AND backend_type = 'client backend'");

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>The service on PostgreSQL: a fresh, migrated database per test class.</summary>
public sealed class PostgresStorefrontFactory : StorefrontFactory, IAsyncLifetime
{
    public PostgresDatabase Database { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Database = await PostgresDatabase.CreateAsync();
        With("ConnectionStrings:Postgres", Database.ConnectionString);
        // The production path: the explicit migrate step, then a service that only checks the schema.
        await Migrations.MigrateAsync(Database.ConnectionString);
    }

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        try
        {
            await base.DisposeAsync();
        }
        finally
        {
            await Database.DisposeAsync();
        }
    }
}
