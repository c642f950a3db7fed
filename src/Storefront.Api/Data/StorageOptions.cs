using System.ComponentModel.DataAnnotations;

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
}
