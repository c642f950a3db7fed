using Microsoft.EntityFrameworkCore;
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
}
