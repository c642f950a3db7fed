using System.Diagnostics;
using Storefront.Api.Data;

namespace Storefront.Tests.Data;

[ServerFree]
public sealed class SqliteStoreTests(SqliteStorefrontFactory factory) : IClassFixture<SqliteStorefrontFactory>
{
    [Fact]
    public async Task First_run_creates_the_schema_and_seeds_the_sample_catalog()
    {
        using var client = factory.CreateClient();
        Assert.Equal(20, (await client.GetItemsAsync("/items?limit=100")).Total);
        Assert.Equal("Mechanical keyboard", (await client.GetItemAsync(1)).Name);
        Assert.True(File.Exists(Path.Combine(factory.StoragePath, "storefront.db")));
    }

    [Fact]
    public async Task A_database_failure_is_a_500_problem_that_reveals_nothing_and_readiness_fails()
    {
        await using var broken = new SqliteStorefrontFactory();
        using var client = broken.CreateClient();
        await (await client.GetAsync("/items/1")).ShouldBeJsonAsync();
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(broken.StoragePath, "storefront.db")}"))
        {
            await connection.OpenAsync();
            await using var drop = connection.CreateCommand();
            drop.CommandText = "DROP TABLE items;";
            await drop.ExecuteNonQueryAsync();
        }

        var response = await client.GetAsync("/items/1");
        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.InternalServerError);
        var body = problem.ToString();
        Assert.DoesNotContain("items", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("sqlite", body, StringComparison.OrdinalIgnoreCase);

        var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
    }

    [Fact]
    public async Task An_applied_migration_edited_since_stops_the_migration_on_sqlite_too()
    {
        await using var store = new SqliteStorefrontFactory();
        using (store.CreateClient()) { }
        var migrator = store.Services.GetRequiredService<DatabaseMigrator>();
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(store.StoragePath, "storefront.db")}"))
        {
            await connection.OpenAsync();
            await using var edit = connection.CreateCommand();
            edit.CommandText = $"UPDATE schema_migrations SET checksum = 'edited' WHERE version = {migrator.All[^1].Version};";
            await edit.ExecuteNonQueryAsync();
        }

        var error = await Assert.ThrowsAsync<MigrationChecksumException>(() => migrator.MigrateAsync(CancellationToken.None));

        Assert.Contains(migrator.All[^1].FileName, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task Migrating_again_applies_nothing()
    {
        var migrator = factory.Services.GetRequiredService<DatabaseMigrator>();
        var result = await migrator.MigrateAsync(CancellationToken.None);
        Assert.Empty(result.Applied);
        Assert.Empty((await migrator.GetStatusAsync(CancellationToken.None)).Pending);
    }
}

public sealed class PostgresStoreTests
{
    [Fact]
    public async Task Service_refuses_to_start_on_an_unmigrated_database()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        await using var factory = new SqliteStorefrontFactory();
        factory.With("ConnectionStrings:Postgres", database.ConnectionString);
        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains("migrate", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_command_creates_the_schema_once()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        var (exit, output) = await RunServiceCommandAsync("migrate", database.ConnectionString);
        Assert.True(exit == 0, output);
        var everyMigration = new DatabaseMigrator(new DatabaseProvider(DatabaseKind.Postgres, database.ConnectionString),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<DatabaseMigrator>.Instance).All.Count;
        Assert.Contains($"applied {everyMigration} migration", output, StringComparison.Ordinal);

        (exit, output) = await RunServiceCommandAsync("migrate", database.ConnectionString);
        Assert.True(exit == 0, output);
        Assert.Contains("applied 0 migration", output, StringComparison.Ordinal);

        await using var factory = new SqliteStorefrontFactory();
        factory.With("ConnectionStrings:Postgres", database.ConnectionString);
        using var client = factory.CreateClient();
        Assert.Equal("healthy", (await (await client.GetAsync("/health/ready")).ShouldBeJsonAsync<HealthAnswer>()).Status);
        // Production PostgreSQL is never seeded behind the operator's back.
        Assert.Equal(0, (await client.GetItemsAsync("/items")).Total);
    }

    [Fact]
    public async Task Seed_command_adds_the_samples_only_to_an_empty_catalog()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        var (exit, output) = await RunServiceCommandAsync("seed", database.ConnectionString);
        Assert.True(exit == 0, output);
        Assert.Contains("Added 20 sample items", output, StringComparison.Ordinal);
        (exit, output) = await RunServiceCommandAsync("seed", database.ConnectionString);
        Assert.True(exit == 0, output);
        Assert.Contains("nothing added", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_applied_migration_edited_since_stops_migrate_and_startup_with_one_line_naming_the_file_and_both_checksums()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        var migrator = new DatabaseMigrator(new DatabaseProvider(DatabaseKind.Postgres, database.ConnectionString),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<DatabaseMigrator>.Instance);
        await migrator.MigrateAsync(CancellationToken.None);
        // What the database recorded no longer matches the file: as after an edit of an applied script.
        var edited = migrator.All[2];
        const string recorded = "0000000000000000000000000000000000000000000000000000000000000000";
        await ExecuteAsync(database.ConnectionString, $"UPDATE schema_migrations SET checksum = '{recorded}' WHERE version = {edited.Version}");

        var (exit, output) = await RunServiceCommandAsync("migrate", database.ConnectionString);

        Assert.Equal(1, exit);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Contains(edited.FileName, line, StringComparison.Ordinal);
        Assert.Contains(recorded, line, StringComparison.Ordinal);
        Assert.Contains(edited.Checksum, line, StringComparison.Ordinal);
        await using var factory = new SqliteStorefrontFactory();
        factory.With("ConnectionStrings:Postgres", database.ConnectionString);
        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains($"Migration {edited.FileName} was edited after it was applied", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_migrated_before_checksums_were_kept_gets_them_on_the_next_migrate()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        var migrator = new DatabaseMigrator(new DatabaseProvider(DatabaseKind.Postgres, database.ConnectionString),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<DatabaseMigrator>.Instance);
        await migrator.MigrateAsync(CancellationToken.None);
        await ExecuteAsync(database.ConnectionString, "ALTER TABLE schema_migrations DROP COLUMN checksum");

        Assert.Empty((await migrator.GetStatusAsync(CancellationToken.None)).Pending);
        Assert.Empty((await migrator.MigrateAsync(CancellationToken.None)).Applied);

        await ExecuteAsync(database.ConnectionString, $"UPDATE schema_migrations SET checksum = 'edited' WHERE version = {migrator.All[0].Version}");
        await Assert.ThrowsAsync<MigrationChecksumException>(() => migrator.GetStatusAsync(CancellationToken.None));
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Runs the built service as an operator would: <c>dotnet Storefront.Api.dll migrate</c>.</summary>
    private static async Task<(int Exit, string Output)> RunServiceCommandAsync(string command, string connectionString)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Storefront.Api.dll"), command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.Environment["ConnectionStrings__Postgres"] = connectionString;
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
