using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.FileProviders;
using Storefront.Api.Accounts;
using Storefront.Api.Diagnostics;
using Storefront.Api.Http;

namespace Storefront.Api.Dashboard;

public static class DashboardExtensions
{
    /// <summary>Who may watch: a holder of the admin role; anyone in Development.</summary>
    public const string WatchPolicy = "dashboard";

    /// <summary>Where the page and its assets are served, and the folder under wwwroot they come from.</summary>
    public const string Path = "/dashboard";

    public static WebApplicationBuilder AddDashboard(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var development = builder.Environment.IsDevelopment();
        // On by default in Development only; configuration (bound after this) overrides either way.
        services.AddOptions<DashboardOptions>().Configure(o => o.Enabled = development)
            .BindConfiguration(DashboardOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddJsonTypes(DashboardJsonContext.Default);

        services.AddSingleton<DashboardMeters>();
        services.AddSingleton<LoadBurst>();
        services.AddSingleton<SnapshotBuilder>();
        services.AddSingleton<DashboardFeed>();
        services.AddHostedService(sp => sp.GetRequiredService<DashboardFeed>());
        // No per-request log lines: the burst's ~8,000 requests wrote two Information lines each to the console.
        services.AddHttpClient(LoadBurst.ClientName, client => client.Timeout = TimeSpan.FromSeconds(10)).RemoveAllLoggers();

        services.AddAuthorizationBuilder().AddPolicy(WatchPolicy, policy =>
        {
            if (development) policy.RequireAssertion(_ => true);
            else Roles.RequireRole(policy, Roles.Admin);
        });

        // The load button's demo of the blocking banner needs the probe: in Development, with the dashboard on, unless set.
        var enabled = builder.Configuration.GetValue<bool?>($"{DashboardOptions.Section}:{nameof(DashboardOptions.Enabled)}") ?? development;
        if (development && enabled && builder.Configuration[DiagnosticsExtensions.BlockingProbeSetting] is null)
            builder.Configuration[DiagnosticsExtensions.BlockingProbeSetting] = "true";
        return builder;
    }

    /// <summary>
    /// The page's static files, only for paths under /dashboard (checked first, so no other request probes the file
    /// system) and only when the dashboard is enabled.
    /// </summary>
    public static WebApplication UseDashboard(this WebApplication app)
    {
        var folder = Folder(app.Environment);
        if (!app.Services.GetRequiredService<IOptions<DashboardOptions>>().Value.Enabled || !Directory.Exists(folder)) return app;
        var files = new StaticFileOptions { FileProvider = new PhysicalFileProvider(folder), RequestPath = Path };
        app.UseWhen(context => context.Request.Path.StartsWithSegments(Path, StringComparison.OrdinalIgnoreCase),
            dashboard => dashboard.UseNoFraming().UseStaticFiles(files));
        return app;
    }

    internal static string Folder(IHostEnvironment environment) => System.IO.Path.Combine(environment.ContentRootPath, "wwwroot", "dashboard");
}
