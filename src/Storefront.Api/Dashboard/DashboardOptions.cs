using Microsoft.Extensions.Options;

namespace Storefront.Api.Dashboard;

public sealed class DashboardOptions
{
    public const string Section = "Dashboard";

    /// <summary>Maps /dashboard and its stream. Defaults to true in Development, false elsewhere (DashboardExtensions).</summary>
    public bool Enabled { get; set; }

    /// <summary>Usernames allowed to watch outside Development (Dashboard__Admins__0, __1, ...).</summary>
    public List<string> Admins { get; set; } = [];
}

/// <summary>
/// Blank names are typing mistakes; an enabled dashboard outside Development with no admin could be opened by nobody,
/// so startup says so instead of serving 403s.
/// </summary>
internal sealed class DashboardOptionsValidator(IHostEnvironment environment) : IValidateOptions<DashboardOptions>
{
    public ValidateOptionsResult Validate(string? name, DashboardOptions options)
    {
        if (options.Admins.Any(string.IsNullOrWhiteSpace))
            return ValidateOptionsResult.Fail("Dashboard__Admins: every entry must be a username.");
        if (options.Enabled && !environment.IsDevelopment() && options.Admins.Count == 0)
            return ValidateOptionsResult.Fail("Dashboard__Enabled outside Development needs at least one Dashboard__Admins__0 (a username).");
        return ValidateOptionsResult.Success;
    }
}
