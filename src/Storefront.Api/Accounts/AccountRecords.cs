using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Storefront.Api.Accounts;

/// <summary>A token ended by POST /logout, kept until it would have expired anyway.</summary>
public sealed class RevokedToken
{
    public required string Jti { get; set; }
    public int UserId { get; set; }
    public long ExpiresMs { get; set; }
}

/// <summary>A mailed recovery token: only its SHA-256 is stored; used once, before it expires.</summary>
public sealed class PasswordReset
{
    public required string TokenHash { get; set; }
    public int UserId { get; set; }
    public long CreatedMs { get; set; }
    public long ExpiresMs { get; set; }
    public long? UsedMs { get; set; }
}

internal sealed class RevokedTokenConfiguration : IEntityTypeConfiguration<RevokedToken>
{
    public void Configure(EntityTypeBuilder<RevokedToken> token)
    {
        token.ToTable("revoked_tokens");
        token.HasKey(t => t.Jti);
        token.Property(t => t.Jti).HasMaxLength(64);
    }
}

internal sealed class PasswordResetConfiguration : IEntityTypeConfiguration<PasswordReset>
{
    public void Configure(EntityTypeBuilder<PasswordReset> reset)
    {
        reset.ToTable("password_resets");
        reset.HasKey(r => r.TokenHash);
        reset.Property(r => r.TokenHash).HasMaxLength(64);
    }
}
