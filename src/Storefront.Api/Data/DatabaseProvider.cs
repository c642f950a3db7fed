using Microsoft.Data.Sqlite;

namespace Storefront.Api.Data;

public enum DatabaseKind
{
    Sqlite,
    Postgres,
}

/// <summary>Which store this instance uses, decided once from configuration.</summary>
public sealed record DatabaseProvider(DatabaseKind Kind, string ConnectionString)
{
    public static DatabaseProvider FromConfiguration(IConfiguration configuration)
    {
        var postgres = configuration.GetConnectionString("Postgres");
        if (!string.IsNullOrWhiteSpace(postgres)) return new DatabaseProvider(DatabaseKind.Postgres, WithAutoPrepare(postgres));

        var folder = Path.GetFullPath(configuration[$"{StorageOptions.Section}:Path"] ?? "./data");
        Directory.CreateDirectory(folder);
        var sqlite = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(folder, "storefront.db"),
            Pooling = true,
            DefaultTimeout = 30,
        };
        return new DatabaseProvider(DatabaseKind.Sqlite, sqlite.ToString());
    }

    public bool IsEmbedded => Kind == DatabaseKind.Sqlite;

    /// <summary>
    /// Unless the operator chose otherwise: let Npgsql prepare statements used more than twice (the server then skips
    /// parsing and planning them, which is most of PostgreSQL's CPU for the catalog's key lookups), and keep a pooled
    /// connection's session as it is when it goes back to the pool. The service sets no session state (its locks and
    /// settings are per transaction, its timeouts are cancellations), so the reset Npgsql would otherwise send with
    /// the next use, five statements each time a request borrows a connection, resets nothing.
    /// </summary>
    private static string WithAutoPrepare(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase)) builder.MaxAutoPrepare = 32;
        if (!connectionString.Contains("Reset On Close", StringComparison.OrdinalIgnoreCase)) builder.NoResetOnClose = true;
        return builder.ConnectionString;
    }
}
