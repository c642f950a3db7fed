using Microsoft.AspNetCore.Authorization;

namespace Storefront.Api.Accounts;

/// <summary>
/// The roles a user can hold (user_roles, granted by the <c>users</c> command) and the policies that need them.
/// <c>admin</c> may do everything staff may; <c>catalog</c> is catalog staff: item and stock writes only.
/// </summary>
public static class Roles
{
    public const string Admin = "admin";
    public const string Catalog = "catalog";

    public static readonly IReadOnlyList<string> All = [Admin, Catalog];

    /// <summary>Holders of <c>admin</c>: GET /users, the dashboard outside Development, and everything catalog staff may.</summary>
    public const string AdminPolicy = AccountsExtensions.AdminPolicy;

    /// <summary>Catalog writes (POST/PUT/DELETE /items) and stock levels: <c>catalog</c> or <c>admin</c>.</summary>
    public const string CatalogPolicy = "catalog";

    /// <summary>Requires an authenticated user holding one of <paramref name="roles"/>, read from the database.</summary>
    public static AuthorizationPolicyBuilder RequireRole(AuthorizationPolicyBuilder policy, params string[] roles) =>
        policy.RequireAuthenticatedUser().AddRequirements(new RoleRequirement(roles));
}

/// <summary>One of these roles, held now (not a claim in the token: a revocation must not wait for tokens to expire).</summary>
public sealed class RoleRequirement(IReadOnlyList<string> roles) : IAuthorizationRequirement
{
    public IReadOnlyList<string> Roles { get; } = roles;

    /// <summary>What a 403 says: the role that is missing and how an operator grants it.</summary>
    public string Missing => $"This needs the role {string.Join(" or ", Roles)}, which your account does not hold. An operator grants it: " +
        $"dotnet Storefront.Api.dll users grant <username> {Roles[0]}.";
}
