using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Storefront.Api.Data;

namespace Storefront.Api.Accounts;

/// <summary>
/// Whether a token is still good: its subject is a user who exists now, it carries that user's current token version
/// (a password change, a reset or "log out everywhere" raises it), and it was not ended by POST /logout. Every request
/// that carries a token asks, so what was found is remembered for Jwt__UserCheckCacheSeconds: one lookup per user per
/// period instead of one per request. The price is that an ended token, or a deleted user's, keeps working on other
/// instances for at most that long (this instance forgets at once: <see cref="Forget"/>). A subject not found is never
/// remembered, so a user is never refused for having been unknown a moment ago.
/// </summary>
public sealed class ActiveUsers : IDisposable
{
    // Bounded: a flood of tokens for many different users cannot grow it without limit; past the bound, lookups
    // simply go to the database.
    private const int MaxRemembered = 100_000;

    private readonly MemoryCache _found = new(new MemoryCacheOptions { SizeLimit = MaxRemembered });
    private readonly TimeSpan _remember;
    private readonly TimeProvider _clock;

    public ActiveUsers(IOptions<JwtOptions> options, TimeProvider clock)
    {
        _remember = TimeSpan.FromSeconds(options.Value.UserCheckCacheSeconds);
        _clock = clock;
    }

    /// <summary>True when user <paramref name="id"/> exists, is at <paramref name="version"/>, and has not ended <paramref name="jti"/>.</summary>
    public async ValueTask<bool> AcceptsAsync(int id, int version, string? jti, StorefrontDbContext db, CancellationToken cancellationToken)
    {
        if (!_found.TryGetValue(id, out TokenState? state))
        {
            var current = await db.Users.Where(u => u.Id == id).Select(u => (int?)u.TokenVersion).FirstOrDefaultAsync(cancellationToken);
            if (current is null) return false;
            var now = _clock.GetUtcNow().ToUnixTimeMilliseconds();
            // A user logs out a handful of tokens an hour at most (logins are rate limited): a short list.
            var ended = await db.RevokedTokens.Where(t => t.UserId == id && t.ExpiresMs > now).Select(t => t.Jti).ToArrayAsync(cancellationToken);
            state = new TokenState(current.Value, ended);
            if (_remember > TimeSpan.Zero)
                _found.Set(id, state, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = _remember });
        }
        return state!.Version == version && (jti is null || Array.IndexOf(state.Ended, jti) < 0);
    }

    /// <summary>After this instance ended tokens of user <paramref name="id"/>: its next request is checked afresh.</summary>
    public void Forget(int id) => _found.Remove(id);

    public void Dispose() => _found.Dispose();

    private sealed record TokenState(int Version, string[] Ended);
}
