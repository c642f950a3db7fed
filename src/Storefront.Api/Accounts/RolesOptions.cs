namespace Storefront.Api.Accounts;

/// <summary>Role settings (<c>Accounts__*</c>). Who holds a role is in the database (user_roles), never here.</summary>
public sealed class RolesOptions : IValidatableObject
{
    public const string Section = "Accounts";

    /// <summary>
    /// How long an instance remembers a user's roles once it has found some: a grant works at once (a user without the
    /// role is looked up again each time), a revocation within this many seconds.
    /// </summary>
    [Range(0, 300)]
    public int RoleCacheSeconds { get; set; } = 10;

    /// <summary>The old way to name admins. Still bound only so that a deployment that sets it is told it no longer works.</summary>
    public List<string> Admins { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // Silently ignoring it would leave the named admins locked out, or worse, believe the setting still protects.
        if (Admins.Count > 0)
            yield return new ValidationResult(
                "Accounts__Admins is no longer read: roles live in the database, granted by an operator. Remove the setting and run " +
                "`dotnet Storefront.Api.dll users grant NAME admin` (or `dotnet run --project src/Storefront.Api -- users grant NAME admin`).",
                [nameof(Admins)]);
    }
}
