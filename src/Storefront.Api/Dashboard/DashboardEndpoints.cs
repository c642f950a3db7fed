using Storefront.Api.Diagnostics;

namespace Storefront.Api.Dashboard;

public static class DashboardEndpoints
{
    /// <summary>
    /// GET /dashboard (the page), GET /dashboard/stream (a snapshot per second, server-sent events), and in Development
    /// POST /dashboard/load. Nothing is mapped unless Dashboard__Enabled: the paths are then 404 like any other.
    /// </summary>
    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        if (!app.ServiceProvider.GetRequiredService<IOptions<DashboardOptions>>().Value.Enabled) return app;
        var group = app.MapGroup(DashboardExtensions.Path).WithTags("Operations");
        var environment = app.ServiceProvider.GetRequiredService<IHostEnvironment>();
        var page = System.IO.Path.Combine(DashboardExtensions.Folder(environment), "index.html");
        // The page holds no data: served to anyone; the stream it opens asks for the token.
        group.MapGet("", () => TypedResults.PhysicalFile(page, "text/html; charset=utf-8"))
            .WithSummary("The live operations dashboard (a static page)");
        group.MapGet("/stream", Stream).RequireAuthorization(DashboardExtensions.WatchPolicy).AsLongLived()
            .WithSummary("One snapshot of the service per second, as server-sent events");
        if (environment.IsDevelopment())
        {
            group.MapPost("/load", Load).RequireAuthorization(DashboardExtensions.WatchPolicy)
                .WithSummary("Starts a short burst of traffic against this service (Development only)");
        }
        return app;
    }

    private static ServerSentEventsResult<string> Stream(DashboardFeed feed, CancellationToken cancellationToken) =>
        TypedResults.ServerSentEvents(feed.WatchAsync(cancellationToken), eventType: "snapshot");

    private static Results<Accepted<LoadStarted>, ProblemHttpResult> Load(LoadBurst load) =>
        load.TryStart()
            ? TypedResults.Accepted((string?)null, new LoadStarted(LoadBurst.Seconds))
            : TypedResults.Problem("A load burst is already running; it ends within a few seconds.", statusCode: StatusCodes.Status409Conflict);
}
