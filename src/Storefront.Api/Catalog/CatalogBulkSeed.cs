using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;
using Storefront.Api.Data;

namespace Storefront.Api.Catalog;

/// <summary>
/// <c>seed --items N</c>: a catalog of N items for the scale benchmark (<c>scripts/bench catalog-scale</c>) and anyone reproducing
/// it. Generated, not random: item k is always "{adjective} {noun} k" at the same price, so two runs hold the same
/// catalog. PostgreSQL takes binary COPY (one stream, no per-row statements); SQLite prepared inserts in batches.
/// </summary>
internal sealed class CatalogBulkSeed(IServiceProvider services) : IBulkSampleData
{
    private const int SqliteBatch = 10_000;

    // 24 nouns: a search for one matches about 1 item in 24, however large the catalog.
    private static readonly string[] Adjectives =
        ["Compact", "Wireless", "Ergonomic", "Portable", "Classic", "Smart", "Quiet", "Rugged", "Slim", "Deluxe", "Basic", "Pro"];

    private static readonly string[] Nouns =
    [
        "keyboard", "mouse", "monitor", "dock", "headphones", "webcam", "lamp", "stand", "drive", "chair", "desk", "cable",
        "microphone", "speaker", "charger", "tablet", "router", "hub", "adapter", "case", "backpack", "pen", "notebook", "mat",
    ];

    public string OptionName => "items";

    public static (string Name, decimal Price, string? Description) Generate(long k) => (
        $"{Adjectives[k % Adjectives.Length]} {Nouns[k / Adjectives.Length % Nouns.Length]} {k}",
        (k * 7919 % 99_900 + 100) / 100m, // 1.00 to 999.99, spread over the catalog
        k % 3 == 0 ? null : $"Generated item {k.ToString(CultureInfo.InvariantCulture)}.");

    public async Task<long> SeedToAsync(long target, CancellationToken cancellationToken)
    {
        var provider = services.GetRequiredService<DatabaseProvider>();
        return provider.Kind == DatabaseKind.Postgres
            ? await SeedPostgresAsync(services.GetRequiredService<NpgsqlDataSource>(), target, cancellationToken)
            : await SeedSqliteAsync(provider.ConnectionString, target, cancellationToken);
    }

    private static async Task<long> SeedPostgresAsync(NpgsqlDataSource dataSource, long target, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var existing = await CountAsync(connection.CreateCommand(), cancellationToken);
        if (existing >= target) return 0;
        // The rows' commit waits for its WAL to be flushed whatever synchronous_commit says: until it is, PostgreSQL
        // may not mark them committed in their pages, and the VACUUM below could then mark none of them visible to all
        // (a walk reading the table instead of the index alone, until autovacuum's next visit).
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var synchronous = new NpgsqlCommand("SET LOCAL synchronous_commit = on", connection, transaction))
            await synchronous.ExecuteNonQueryAsync(cancellationToken);
        await using (var import = await connection.BeginBinaryImportAsync(
                         "COPY items (name, price, description) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            for (var k = existing + 1; k <= target; k++)
            {
                var (name, price, description) = Generate(k);
                await import.StartRowAsync(cancellationToken);
                await import.WriteAsync(name, NpgsqlDbType.Varchar, cancellationToken);
                await import.WriteAsync(price, NpgsqlDbType.Numeric, cancellationToken);
                if (description is null) await import.WriteNullAsync(cancellationToken);
                else await import.WriteAsync(description, NpgsqlDbType.Varchar, cancellationToken);
            }
            await import.CompleteAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        // Fresh statistics, so totals (the planner's estimate) and plans know the new size at once; and the visibility
        // map set, so a search's walk reads the sort's index alone from the start, not after autovacuum's next visit.
        await using var analyze = connection.CreateCommand();
        analyze.CommandText = "VACUUM (ANALYZE) items";
        await analyze.ExecuteNonQueryAsync(cancellationToken);
        return target - existing;
    }

    private static async Task<long> SeedSqliteAsync(string connectionString, long target, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        var existing = await CountAsync(connection.CreateCommand(), cancellationToken);
        for (var k = existing + 1; k <= target;)
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO items (name, price, description) VALUES ($name, $price, $description)";
            var name = insert.Parameters.Add("$name", SqliteType.Text);
            var price = insert.Parameters.Add("$price", SqliteType.Text);
            var description = insert.Parameters.Add("$description", SqliteType.Text);
            for (var end = Math.Min(target, k + SqliteBatch - 1); k <= end; k++)
            {
                var item = Generate(k);
                name.Value = item.Name;
                // EF Core's TEXT form of a decimal, so EF reads these rows like its own.
                price.Value = item.Price.ToString("0.0###", CultureInfo.InvariantCulture);
                description.Value = (object?)item.Description ?? DBNull.Value;
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }
        return Math.Max(0, target - existing);
    }

    private static async Task<long> CountAsync(System.Data.Common.DbCommand command, CancellationToken cancellationToken)
    {
        await using (command)
        {
            command.CommandText = "SELECT count(*) FROM items";
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        }
    }
}
