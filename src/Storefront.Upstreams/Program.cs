namespace Storefront.Upstreams;

/// <summary>
/// Standalone: <c>dotnet run --project src/Storefront.Upstreams</c> serves the simulated services on localhost:5100
/// (override with --urls or ASPNETCORE_URLS; per-route behaviour with Simulator__Routes__reco__LatencyMs=...).
/// The /_sim control routes are there in every environment but Production (<c>dotnet run</c> uses Development).
/// A named class rather than top-level statements, so it does not collide with Storefront.Api's Program.
/// </summary>
public static class SimulatorProgram
{
    public static async Task Main(string[] args)
    {
        var app = SimulatorApp.Create(args);
        if (string.IsNullOrEmpty(app.Configuration["urls"])) app.Urls.Add("http://localhost:5100");
        await app.RunAsync();
    }
}
