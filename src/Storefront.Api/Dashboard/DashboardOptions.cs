using Microsoft.Extensions.Options;
using Storefront.Api.Accounts;

namespace Storefront.Api.Dashboard;

public sealed class DashboardOptions
{
    public const string Section = "Dashboard";

    /// <summary>Maps /dashboard and its stream. Defaults to true in Development, false elsewhere (DashboardExtensions).</summary>
    public bool Enabled { get; set; }
}

/// <summary>
/// An enabled dashboard outside Development with no admin could be opened by nobody, so startup says so instead of
/// serving 403s.
/// </summary>
internal sealed class DashboardOptionsValidator(IHostEnvironment environment, IOptions<AdminOptions> admins) : IValidateOptions<DashboardOptions>
{
    public ValidateOptionsResult Validate(string? name, DashboardOptions options)
    {
        if (options.Enabled && !environment.IsDevelopment() && admins.Value.Admins.Count == 0)
            return ValidateOptionsResult.Fail("Dashboard__Enabled outside Development needs at least one admin: Accounts__Admins__0 (a username).");
        return ValidateOptionsResult.Success;
    }
}
