namespace Storefront.Api.Dashboard;

public sealed class DashboardOptions
{
    public const string Section = "Dashboard";

    /// <summary>Maps /dashboard and its stream. Defaults to true in Development, false elsewhere (DashboardExtensions).</summary>
    public bool Enabled { get; set; }
}
