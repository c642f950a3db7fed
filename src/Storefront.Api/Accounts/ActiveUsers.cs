using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Storefront.Api.Data;

namespace Storefront.Api.Accounts;

/// <summary>
/// Whether a token's subject is a user who exists now. Every request that carries a token asks, so a user found
/// is remembered for Jwt__UserCheckCacheSeconds: one primary-key lookup per user per period instead of one per
/// request. The price is that a deleted user's tokens keep working for at most that long. A subject not found is
/// never remembered: it is looked up again each time, so a user is never refused for having been unknown a moment ago.
/// </summary>
public sealed class ActiveUsers : IDisposable
{
    // Bounded: a flood of tokens for many different users cannot grow it without limit; past the bound, lookups
    // simply go to the database.
    private const int MaxRemembered = 100_000;

    private readonly MemoryCache _found = new(new MemoryCacheOptions { SizeLimit = MaxRemembered });
    private readonly TimeSpan _remember;

    public ActiveUsers(IOptions<JwtOptions> options) => _remember = TimeSpan.FromSeconds(options.Value.UserCheckCacheSeconds);

    public async ValueTask<bool> ExistsAsync(int id, StorefrontDbContext db, CancellationToken cancellationToken)
    {
        if (_found.TryGetValue(id, out _)) return true;
        var exists = await db.Users.AnyAsync(u => u.Id == id, cancellationToken);
        if (exists && _remember > TimeSpan.Zero)
            _found.Set(id, true, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = _remember });
        return exists;
    }

    public void Dispose() => _found.Dispose();
}
