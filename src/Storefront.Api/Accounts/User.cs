using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Storefront.Api.Accounts;

/// <summary>A stored account. The password exists only as a salted PBKDF2 hash.</summary>
public sealed class User
{
    public int Id { get; set; }
    public required string Username { get; set; }
    public required string NormalizedUsername { get; set; }
    public required string Email { get; set; }
    public required string NormalizedEmail { get; set; }
    public required string PasswordHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Tokens carry the version they were issued at; raising it ends every earlier token (<see cref="ActiveUsers"/>).</summary>
    public int TokenVersion { get; set; }

    public static string Normalize(string value) => value.Trim().ToLowerInvariant();
}

internal sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> user)
    {
        user.ToTable("users");
        user.HasKey(u => u.Id);
        user.Property(u => u.Id).ValueGeneratedOnAdd();
        user.Property(u => u.Username).HasMaxLength(50);
        user.Property(u => u.NormalizedUsername).HasMaxLength(50);
        user.Property(u => u.Email).HasMaxLength(254);
        user.Property(u => u.NormalizedEmail).HasMaxLength(254);
        user.HasIndex(u => u.NormalizedUsername).IsUnique();
        user.HasIndex(u => u.NormalizedEmail).IsUnique();
    }
}
