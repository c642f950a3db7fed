using Microsoft.EntityFrameworkCore;
using Npgsql;
using Storefront.Api.Data;

namespace Storefront.Api.Accounts;

/// <summary>The accounts' tables on the shared context.</summary>
public static class AccountTables
{
    extension(StorefrontDbContext db)
    {
        public DbSet<User> Users => db.Set<User>();

        public DbSet<RevokedToken> RevokedTokens => db.Set<RevokedToken>();

        public DbSet<PasswordReset> PasswordResets => db.Set<PasswordReset>();
    }

    /// <summary>PostgreSQL: a user's mail address, as one statement of another feature's batch (one row, or none).</summary>
    public static NpgsqlBatchCommand EmailCommand(int userId) =>
        new("SELECT email FROM users WHERE id = $1") { Parameters = { new NpgsqlParameter<int> { TypedValue = userId } } };
}
