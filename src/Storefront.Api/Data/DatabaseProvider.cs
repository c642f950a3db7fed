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
        if (!string.IsNullOrWhiteSpace(postgres)) return new DatabaseProvider(DatabaseKind.Postgres, postgres);

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
}
