using Microsoft.AspNetCore.HostFiltering;

namespace Storefront.Api.Http;

/// <summary>
/// <c>AllowedHosts</c>, the framework's own setting: host names separated by ';' (<c>*.example.com</c> wildcards;
/// <c>*</c>, the default, allows any). A request for another host gets a 400. The framework's host filtering middleware
/// does the check, but the web defaults run it before every middleware of ours, where its refusal was an HTML page
/// without X-Process-Time; here it runs inside the conventions, so the refusal is Problem Details like any error.
/// </summary>
internal static class AllowedHosts
{
    public const string Setting = "AllowedHosts";

    public static void AddHostChecks(IServiceCollection services)
    {
        // The web defaults add the check as a startup filter (outside the whole pipeline); UseHostChecks places it.
        foreach (var early in services.Where(d => d.ServiceType == typeof(IStartupFilter) && d.ImplementationType?.Name == "HostFilteringStartupFilter").ToList())
            services.Remove(early);
        // No HTML page: the status-code pages write the Problem Details body.
        services.Configure<HostFilteringOptions>(o => o.IncludeFailureMessage = false);
        services.AddOptions<HostFilteringOptions>().ValidateOnStart();
        services.AddSingleton<IValidateOptions<HostFilteringOptions>, AllowedHostsValidator>();
    }

    /// <summary>Only when hosts are named: with the default "*" the check would pass every request, at a middleware hop each.</summary>
    public static WebApplication UseHostChecks(this WebApplication app)
    {
        var hosts = app.Services.GetRequiredService<IOptions<HostFilteringOptions>>().Value.AllowedHosts;
        if (hosts.Count > 0 && !hosts.Any(AllowsAny)) app.UseHostFiltering();
        return app;
    }

    // As the framework reads them: these entries allow every host.
    private static bool AllowsAny(string entry) => entry is "*" or "[::]" or "0.0.0.0";
}

/// <summary>An entry with a scheme, a path or a port never matches a Host header, so the service would refuse everyone.</summary>
internal sealed class AllowedHostsValidator : IValidateOptions<HostFilteringOptions>
{
    public ValidateOptionsResult Validate(string? name, HostFilteringOptions options)
    {
        var bad = options.AllowedHosts.Where(entry => !CanMatch(entry)).ToList();
        return bad.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(bad.Select(entry =>
                $"{AllowedHosts.Setting}: '{entry}' can never match a request's host: list host names without scheme, port or path, separated by ';' (shop.example.com;*.shop.example.com)."));
    }

    private static bool CanMatch(string entry)
    {
        if (entry.Length == 0 || entry.AsSpan().IndexOfAny("/ \t") >= 0) return false;
        var colon = entry.LastIndexOf(':');
        if (colon < 0) return true;
        if (entry.StartsWith('[')) return entry.EndsWith(']'); // [::1] is an address; [::1]:8000 has a port.
        return entry.IndexOf(':', StringComparison.Ordinal) != colon; // One colon is host:port; a bare IPv6 address has several.
    }
}
