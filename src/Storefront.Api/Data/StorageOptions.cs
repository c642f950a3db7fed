namespace Storefront.Api.Data;

public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>Folder for the SQLite file (and later uploads and the mail pickup folder).</summary>
    [Required]
    public string Path { get; set; } = "./data";
}

public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary>
    /// Apply pending migrations at startup. Defaults to on for the embedded SQLite store only: production
    /// PostgreSQL is migrated by the explicit <c>migrate</c> command, never by whichever instance boots first.
    /// </summary>
    public bool? AutoMigrate { get; set; }

    /// <summary>Insert the sample catalog when the embedded store is created.</summary>
    public bool SeedOnCreate { get; set; } = true;

    /// <summary>
    /// With a standby in the connection string: send the reads that tolerate a bounded staleness (see
    /// <see cref="ReadFreshness"/>) to it. Off, every read goes to the primary.
    /// </summary>
    public bool StandbyReads { get; set; } = true;

    /// <summary>
    /// The staleness bound: while the standby's measured replay lag is above this, tolerant reads go to the primary
    /// too. A read may be older by up to this plus <see cref="LagProbeIntervalMs"/>.
    /// </summary>
    [Range(0, 600_000)]
    public int MaxStandbyLagMs { get; set; } = 2000;

    /// <summary>How often the standby's replay lag is measured (one small query).</summary>
    [Range(100, 60_000)]
    public int LagProbeIntervalMs { get; set; } = 500;

    /// <summary>
    /// synchronous_commit for the service's sessions on the primary. Unset: <c>on</c> when the connection string names
    /// more than one server (a write is acknowledged only once the synchronous standby has it, so a failover cannot lose
    /// it), the server's own default otherwise. <c>local</c> trades that guarantee for the standby's round trip.
    /// </summary>
    [RegularExpression("^(on|off|local|remote_write|remote_apply)$")]
    public string? SynchronousCommit { get; set; }
}
