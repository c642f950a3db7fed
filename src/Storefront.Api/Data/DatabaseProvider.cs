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
        if (!string.IsNullOrWhiteSpace(postgres))
            return new DatabaseProvider(DatabaseKind.Postgres, WithDefaults(postgres, configuration[$"{DatabaseOptions.Section}:SynchronousCommit"]));

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

    private static readonly string[] SynchronousCommitValues = ["on", "off", "local", "remote_write", "remote_apply"];

    /// <summary>
    /// What the operator did not choose, the service does:
    /// - Npgsql prepares statements used more than twice: the server then skips parsing and planning them, which is
    ///   most of PostgreSQL's CPU for the catalog's key lookups.
    /// - A pooled connection's session is kept as it is when it goes back to the pool. The service sets no session
    ///   state (its locks and settings are per transaction, its timeouts are cancellations; synchronous_commit below is
    ///   a startup option, which a reset would not touch either), so the reset Npgsql would otherwise send with the next
    ///   use, five statements each time a request borrows a connection, resets nothing.
    /// - With several servers: connections go to the primary unless a caller asks otherwise (the migrate command, and
    ///   anything else that opens its own connection, must never write to a standby); a server's role is asked again
    ///   after 2 s instead of 10, so a promoted standby takes writes soon after the promotion; and commits wait for the
    ///   synchronous standby (synchronous_commit=on), so an acknowledged write survives a failover.
    /// </summary>
    private static string WithDefaults(string connectionString, string? synchronousCommit)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        bool Named(string key) => connectionString.Contains(key, StringComparison.OrdinalIgnoreCase);
        if (!Named("Auto Prepare")) builder.MaxAutoPrepare = 32;
        if (!Named("Reset On Close")) builder.NoResetOnClose = true;
        var replicated = builder.Host?.Contains(',') == true;
        if (replicated && !Named("Target Session Attributes")) builder.TargetSessionAttributes = "primary";
        if (replicated && !Named("Host Recheck Seconds")) builder.HostRecheckSeconds = 2;
        synchronousCommit ??= replicated ? "on" : null;
        // Checked here too (DatabaseOptions validates it at startup): it is spliced into the server's startup options.
        if (synchronousCommit is not null && !SynchronousCommitValues.Contains(synchronousCommit))
            throw new InvalidOperationException($"Database__SynchronousCommit must be one of {string.Join(", ", SynchronousCommitValues)}.");
        if (synchronousCommit is not null) builder.Options = $"{builder.Options} -c synchronous_commit={synchronousCommit}".Trim();
        return builder.ConnectionString;
    }
}
