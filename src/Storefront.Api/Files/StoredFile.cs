using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Storefront.Api.Data;

namespace Storefront.Api.Files;

/// <summary>An uploaded file's metadata; its bytes are in the <see cref="IFileStore"/> under <see cref="StoredName"/>.</summary>
public sealed class StoredFile
{
    public required string Id { get; set; }
    public required int OwnerId { get; set; }

    /// <summary>The server's name for the bytes: the id and an extension from the sniffed type.</summary>
    public required string StoredName { get; set; }

    /// <summary>The client's name, sanitised (<see cref="FileNames.Sanitize"/>): shown, never used as a path.</summary>
    public required string OriginalName { get; set; }

    public long Size { get; set; }
    public required string Sha256 { get; set; }
    public required string ContentType { get; set; }

    /// <summary>Unix milliseconds: orders the listing the same way on both stores (SQLite cannot order DateTimeOffset).</summary>
    public long CreatedAtMs { get; set; }
}

public static class StoredFiles
{
    /// <summary>A new id: 128 random bits, so an id cannot be guessed from another.</summary>
    public static string NewId() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    public static bool IsValidId(string id) => id.Length == 32 && id.All(char.IsAsciiHexDigitLower);

    public static string NameFor(string id, SniffedType type) => id + type.Extension;

    /// <summary>An id, a dot and a short lower-case extension: nothing else is ever a stored name.</summary>
    public static bool IsValidName(string name)
    {
        var dot = name.IndexOf('.');
        var extension = dot < 0 ? "" : name[(dot + 1)..];
        return IsValidId(dot < 0 ? name : name[..dot])
            && (dot < 0 || extension.Length is >= 1 and <= 8 && extension.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c)));
    }
}

/// <summary>The files table on the shared context.</summary>
public static class FileTables
{
    extension(StorefrontDbContext db)
    {
        public DbSet<StoredFile> Files => db.Set<StoredFile>();
    }
}

internal sealed class StoredFileConfiguration : IEntityTypeConfiguration<StoredFile>
{
    public void Configure(EntityTypeBuilder<StoredFile> file)
    {
        file.ToTable("files");
        file.HasKey(f => f.Id);
        file.Property(f => f.Id).HasMaxLength(32);
        file.Property(f => f.StoredName).HasMaxLength(64);
        file.Property(f => f.OriginalName).HasMaxLength(FileNames.MaxBytes);
        file.Property(f => f.Sha256).HasMaxLength(64);
        file.Property(f => f.ContentType).HasMaxLength(100);
    }
}
