using System.Data.Common;
using System.Reflection;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Storefront.Api.Data;

public sealed record Migration(int Version, string Name, string Sql);

public sealed record MigrationStatus(int CurrentVersion, int LatestVersion, IReadOnlyList<Migration> Pending);

public sealed record MigrationResult(IReadOnlyList<Migration> Applied, bool CreatedSchema);

/// <summary>
/// Applies the versioned SQL scripts under Data/Migrations/{provider}/NNNN_name.sql in order, each once,
/// recorded in <c>schema_migrations</c>. Plain SQL per provider because EF Core's migration tooling
/// (Microsoft.EntityFrameworkCore.Design) is not available here, and hand-written SQL is easier to review.
/// Safe to run from several instances at once: PostgreSQL serialises them with an advisory lock,
/// SQLite with an immediate (write) transaction.
/// </summary>
public sealed partial class DatabaseMigrator(DatabaseProvider provider, ILogger<DatabaseMigrator> logger)
{
    // Any fixed number works; it only has to be the same for every instance of this service.
    private const long AdvisoryLockKey = 0x53746f726546;

    public IReadOnlyList<Migration> All { get; } = Load(provider.Kind);

    public async Task<MigrationStatus> GetStatusAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var applied = await AppliedVersionsAsync(connection, null, cancellationToken);
        return Status(applied);
    }

    public async Task<MigrationResult> MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        if (provider.Kind == DatabaseKind.Sqlite)
            await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL;", cancellationToken); // Readers never wait for the writer.

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (provider.Kind == DatabaseKind.Postgres)
            await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({AdvisoryLockKey});", cancellationToken);

        await ExecuteAsync(connection, transaction, provider.Kind == DatabaseKind.Postgres
            ? "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());"
            : "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP);",
            cancellationToken);

        var applied = await AppliedVersionsAsync(connection, transaction, cancellationToken);
        var pending = Status(applied).Pending;
        foreach (var migration in pending)
        {
            await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken);
            await using var record = connection.CreateCommand();
            record.Transaction = transaction;
            record.CommandText = "INSERT INTO schema_migrations (version, name) VALUES (@version, @name);";
            AddParameter(record, "@version", migration.Version);
            AddParameter(record, "@name", migration.Name);
            await record.ExecuteNonQueryAsync(cancellationToken);
            LogApplied(logger, migration.Version, migration.Name, provider.Kind);
        }
        await transaction.CommitAsync(cancellationToken);
        return new MigrationResult(pending, CreatedSchema: applied.Count == 0 && pending.Count > 0);
    }

    private MigrationStatus Status(HashSet<int> applied)
    {
        var pending = All.Where(m => !applied.Contains(m.Version)).ToList();
        var current = applied.Count == 0 ? 0 : applied.Max();
        return new MigrationStatus(current, All.Count == 0 ? 0 : All[^1].Version, pending);
    }

    private async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        DbConnection connection = provider.Kind == DatabaseKind.Postgres
            ? new NpgsqlConnection(provider.ConnectionString)
            : new SqliteConnection(provider.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    private async Task<HashSet<int>> AppliedVersionsAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var exists = connection.CreateCommand();
        exists.Transaction = transaction;
        exists.CommandText = provider.Kind == DatabaseKind.Postgres
            ? "SELECT to_regclass('schema_migrations') IS NOT NULL;"
            : "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations';";
        if (!Convert.ToBoolean(await exists.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture))
            return [];

        await using var query = connection.CreateCommand();
        query.Transaction = transaction;
        query.CommandText = "SELECT version FROM schema_migrations;";
        var versions = new HashSet<int>();
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) versions.Add(reader.GetInt32(0));
        return versions;
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    private static List<Migration> Load(DatabaseKind kind)
    {
        var folder = kind == DatabaseKind.Postgres ? "postgres" : "sqlite";
        var assembly = Assembly.GetExecutingAssembly();
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var normalized = resource.Replace('\\', '/');
            var prefix = $"migrations/{folder}/";
            if (!normalized.StartsWith(prefix, StringComparison.Ordinal)) continue;
            var file = Path.GetFileNameWithoutExtension(normalized[prefix.Length..]);
            var separator = file.IndexOf('_', StringComparison.Ordinal);
            if (separator <= 0 || !int.TryParse(file[..separator], out var version))
                throw new InvalidOperationException($"Migration file '{normalized}' must be named NNNN_name.sql.");
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            migrations.Add(new Migration(version, file[(separator + 1)..], reader.ReadToEnd()));
        }
        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        if (migrations.Select(m => m.Version).Distinct().Count() != migrations.Count)
            throw new InvalidOperationException($"Two {folder} migrations share a version number.");
        return migrations;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied migration {Version} ({Name}) on {Kind}")]
    private static partial void LogApplied(ILogger logger, int version, string name, DatabaseKind kind);
}
