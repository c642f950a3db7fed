namespace Storefront.Api.Accounts;

/// <summary>
/// Who is an admin: usernames named in configuration (Accounts__Admins__0, __1, …), compared without regard to case
/// like every username. Admins set stock and watch the dashboard outside Development.
/// </summary>
public sealed class AdminOptions
{
    public const string Section = "Accounts";

    public List<string> Admins { get; set; } = [];
}
