using System.Data.Common;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Storefront.Api.Data;

public sealed record Migration(int Version, string Name, string Sql)
{
    /// <summary>SHA-256 of the script (line ends as \n, so a checkout's CRLF does not count as an edit), in lower-case hex.</summary>
    public string Checksum { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql.ReplaceLineEndings("\n"))));

    public string FileName => $"{Version:D4}_{Name}.sql";
}

/// <summary>An applied migration's file changed since: the database and the code no longer agree on what its schema is.</summary>
public sealed class MigrationChecksumException(Migration migration, string recorded) : InvalidOperationException(
    $"Migration {migration.FileName} was edited after it was applied: the database recorded sha256 {recorded}, the file has " +
    $"{migration.Checksum}. Restore the file and put the change in a new migration.");

public sealed record MigrationStatus(int CurrentVersion, int LatestVersion, IReadOnlyList<Migration> Pending);

public sealed record MigrationResult(IReadOnlyList<Migration> Applied, bool CreatedSchema);

/// <summary>
/// Applies the versioned SQL scripts under Data/Migrations/{provider}/NNNN_name.sql in order, each once,
/// recorded in <c>schema_migrations</c> with the script's checksum; an applied script edited since stops
/// <c>migrate</c> and the service's startup (<see cref="MigrationChecksumException"/>). Plain SQL per provider rather
/// than EF Core's migrations: each change is one reviewed script per database that reads as exactly what runs.
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
        var applied = await AppliedAsync(connection, null, cancellationToken);
        Verify(applied);
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
        // Databases migrated before checksums were recorded get the column here, and their rows the files' checksums.
        if (!await HasChecksumColumnAsync(connection, transaction, cancellationToken))
            await ExecuteAsync(connection, transaction, "ALTER TABLE schema_migrations ADD COLUMN checksum text;", cancellationToken);

        var applied = await AppliedAsync(connection, transaction, cancellationToken);
        Verify(applied);
        foreach (var migration in All.Where(m => applied.TryGetValue(m.Version, out var recorded) && recorded is null))
            await RecordAsync(connection, transaction, "UPDATE schema_migrations SET checksum = @checksum WHERE version = @version;", migration, cancellationToken);
        var pending = Status(applied).Pending;
        foreach (var migration in pending)
        {
            await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken);
            await RecordAsync(connection, transaction,
                "INSERT INTO schema_migrations (version, name, checksum) VALUES (@version, @name, @checksum);", migration, cancellationToken);
            LogApplied(logger, migration.Version, migration.Name, provider.Kind);
        }
        await transaction.CommitAsync(cancellationToken);
        return new MigrationResult(pending, CreatedSchema: applied.Count == 0 && pending.Count > 0);
    }

    private MigrationStatus Status(Dictionary<int, string?> applied)
    {
        var pending = All.Where(m => !applied.ContainsKey(m.Version)).ToList();
        var current = applied.Count == 0 ? 0 : applied.Keys.Max();
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

    /// <summary>Applied versions with the checksum recorded for each (null: applied before checksums were kept).</summary>
    private async Task<Dictionary<int, string?>> AppliedAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var exists = connection.CreateCommand();
        exists.Transaction = transaction;
        exists.CommandText = provider.Kind == DatabaseKind.Postgres
            ? "SELECT to_regclass('schema_migrations') IS NOT NULL;"
            : "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations';";
        if (!Convert.ToBoolean(await exists.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture))
            return [];

        var checksum = await HasChecksumColumnAsync(connection, transaction, cancellationToken) ? "checksum" : "NULL";
        await using var query = connection.CreateCommand();
        query.Transaction = transaction;
        query.CommandText = $"SELECT version, {checksum} FROM schema_migrations;";
        var versions = new Dictionary<int, string?>();
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) versions[reader.GetInt32(0)] = reader.IsDBNull(1) ? null : reader.GetString(1);
        return versions;
    }

    private void Verify(Dictionary<int, string?> applied)
    {
        foreach (var migration in All)
        {
            if (applied.TryGetValue(migration.Version, out var recorded) && recorded is not null && recorded != migration.Checksum)
                throw new MigrationChecksumException(migration, recorded);
        }
    }

    private async Task<bool> HasChecksumColumnAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = provider.Kind == DatabaseKind.Postgres
            ? "SELECT count(*) FROM information_schema.columns WHERE table_name = 'schema_migrations' AND column_name = 'checksum' AND table_schema = current_schema();"
            : "SELECT count(*) FROM pragma_table_info('schema_migrations') WHERE name = 'checksum';";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    private static async Task RecordAsync(DbConnection connection, DbTransaction transaction, string sql, Migration migration, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        AddParameter(command, "@version", migration.Version);
        AddParameter(command, "@name", migration.Name);
        AddParameter(command, "@checksum", migration.Checksum);
        await command.ExecuteNonQueryAsync(cancellationToken);
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
