using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Storefront.Api.Data;
using Storefront.Api.Http;

namespace Storefront.Api.Accounts;

/// <summary>
/// Who holds which role (user_roles, 0009). Authorization asks on every request that needs a role, so a user found
/// holding roles is remembered for Accounts__RoleCacheSeconds; a user holding none is looked up again each time, so a
/// grant works at once and only a revocation waits for the cache.
/// </summary>
public sealed class UserRoles(IServiceScopeFactory scopes, IOptions<RolesOptions> options, TimeProvider time) : IDisposable
{
    private const int MaxRemembered = 10_000;
    private readonly MemoryCache _held = new(new MemoryCacheOptions { SizeLimit = MaxRemembered });

    public async ValueTask<IReadOnlyList<string>> OfAsync(int userId, CancellationToken cancellationToken)
    {
        if (_held.TryGetValue(userId, out IReadOnlyList<string>? roles)) return roles!;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorefrontDbContext>();
        roles = await db.Database.SqlQuery<string>($"""SELECT role AS "Value" FROM user_roles WHERE user_id = {userId}""")
            .ToListAsync(cancellationToken);
        var seconds = options.Value.RoleCacheSeconds;
        if (roles.Count > 0 && seconds > 0)
            _held.Set(userId, roles, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(seconds) });
        return roles;
    }

    /// <summary>Grants <paramref name="role"/> to the user named; false when no such user exists. Granting twice is harmless.</summary>
    public async Task<bool> GrantAsync(string username, string role, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorefrontDbContext>();
        var id = await IdOfAsync(db, username, cancellationToken);
        if (id is null) return false;
        var at = time.GetUtcNow();
        await db.Database.ExecuteSqlAsync(
            $"INSERT INTO user_roles (user_id, role, granted_at) VALUES ({id}, {role}, {at}) ON CONFLICT (user_id, role) DO NOTHING",
            cancellationToken);
        return true;
    }

    /// <summary>Takes the role away; false when the user does not exist. Other instances stop honouring it within the cache time.</summary>
    public async Task<bool> RevokeAsync(string username, string role, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorefrontDbContext>();
        var id = await IdOfAsync(db, username, cancellationToken);
        if (id is null) return false;
        await db.Database.ExecuteSqlAsync($"DELETE FROM user_roles WHERE user_id = {id} AND role = {role}", cancellationToken);
        _held.Remove(id.Value);
        return true;
    }

    /// <summary>Every user holding a role, by username, with the roles held.</summary>
    public async Task<List<(string Username, string Role)>> ListAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorefrontDbContext>();
        var rows = await db.Database.SqlQuery<RoleRow>($"""
            SELECT u.username AS "Username", r.role AS "Role" FROM user_roles r JOIN users u ON u.id = r.user_id
            ORDER BY u.normalized_username, r.role
            """).ToListAsync(cancellationToken);
        return [.. rows.Select(r => (r.Username, r.Role))];
    }

    public void Dispose() => _held.Dispose();

    private static Task<int?> IdOfAsync(StorefrontDbContext db, string username, CancellationToken cancellationToken)
    {
        var normalized = User.Normalize(username);
        return db.Users.Where(u => u.NormalizedUsername == normalized).Select(u => (int?)u.Id).FirstOrDefaultAsync(cancellationToken);
    }

    private sealed class RoleRow
    {
        public required string Username { get; init; }
        public required string Role { get; init; }
    }
}

/// <summary>Succeeds when the user holds one of the requirement's roles; otherwise fails naming what is missing.</summary>
internal sealed class RoleHandler(UserRoles roles) : AuthorizationHandler<RoleRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, RoleRequirement requirement)
    {
        if (CurrentUser.Id(context.User) is not { } id) return;
        var aborted = (context.Resource as HttpContext)?.RequestAborted ?? CancellationToken.None;
        var held = await roles.OfAsync(id, aborted);
        if (held.Any(requirement.Roles.Contains)) context.Succeed(requirement);
        else context.Fail(new AuthorizationFailureReason(this, requirement.Missing));
    }
}
