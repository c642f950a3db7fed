using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Storefront.Api.Data;

namespace Storefront.Tests.Data;

/// <summary>
/// Migration 0004 gives jobs an owner. /send-email jobs stored before it name their user in the payload and get that
/// user as owner; every other job stays ownerless (status only). Run on data as it was before, on both providers.
/// </summary>
public sealed class JobOwnerMigrationTests
{
    [Fact]
    public async Task Existing_send_email_jobs_get_their_requester_as_owner_on_postgres()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await CheckBackfillAsync(connection, DatabaseKind.Postgres, "now()");
    }

    [Fact]
    public async Task Existing_send_email_jobs_get_their_requester_as_owner_on_sqlite()
    {
        await using var connection = new SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync();
        await CheckBackfillAsync(connection, DatabaseKind.Sqlite, "'2026-01-01T00:00:00+00:00'");
    }

    private static async Task CheckBackfillAsync(DbConnection connection, DatabaseKind kind, string now)
    {
        var migrations = new DatabaseMigrator(new DatabaseProvider(kind, "unused"), NullLogger<DatabaseMigrator>.Instance).All;
        foreach (var migration in migrations.Where(m => m.Version < 4)) await ExecuteAsync(connection, migration.Sql);
        await ExecuteAsync(connection, $$"""
            INSERT INTO jobs (id, kind, payload, status, max_attempts, run_after_ms, created_at) VALUES
              ('a', 'email.send', '{"to": "ann@example.com", "requested_by": 42}', 'succeeded', 5, 0, {{now}}),
              ('b', 'email.welcome', '{"username": "bob", "email": "bob@example.com"}', 'queued', 5, 0, {{now}}),
              ('c', 'log', '{"requested_by": 7}', 'succeeded', 5, 0, {{now}});
            """);

        await ExecuteAsync(connection, migrations.Single(m => m.Version == 4).Sql);

        await using var read = connection.CreateCommand();
        read.CommandText = "SELECT id, owner_id FROM jobs ORDER BY id";
        var owners = new Dictionary<string, long?>();
        await using (var reader = await read.ExecuteReaderAsync())
            while (await reader.ReadAsync()) owners[reader.GetString(0)] = reader.IsDBNull(1) ? null : Convert.ToInt64(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(new Dictionary<string, long?> { ["a"] = 42, ["b"] = null, ["c"] = null }, owners);
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
