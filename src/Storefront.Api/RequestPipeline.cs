using Storefront.Api.Accounts;
using Storefront.Api.Dashboard;
using Storefront.Api.Diagnostics;
using Storefront.Api.Http;
using Storefront.Api.Live;

namespace Storefront.Api;

/// <summary>
/// The middleware, in the order a request meets it, each step with the reason it stands where it does. Routing has
/// matched the endpoint before the first step (WebApplication puts it in front); the endpoint runs after the last.
/// Steps that serve a few paths only branch on the path first, so the other requests skip them for one comparison.
/// </summary>
internal static class RequestPipeline
{
    public static WebApplication UseRequestPipeline(this WebApplication app)
    {
        app.UseGracefulShutdown();            // First: while draining, every answer closes its connection, refusals included.
        app.UseForwardedClient();             // Before anything reads the client's address or scheme (rate limits, links); only behind trusted proxies.
        app.UseResponseHeaders();             // Outside the error handling, so errors carry X-Process-Time and nosniff too.
        app.UseProblemDetailsForExceptions(); // Every later step's exception becomes a Problem Details answer.
        app.UseStatusPages();                 // Unknown routes, 405s and other bodiless errors get a Problem Details body.
        app.UseHostChecks();                  // A Host the service does not serve is refused before any work; only with AllowedHosts set.
        app.UseRequestTimeouts();             // Endpoints with a deadline answer 504 past it; around everything that may wait.
        app.UseDiagnostics();                 // The overload limit (a fast 503 past it) and the in-flight list: after the answers are Problem Details, before any work.
        app.UseDashboard();                   // The dashboard's static files, only under /dashboard and only when it is enabled.
        app.UseAuthenticationWhenPresented(); // Only requests with an Authorization header pay for reading a token.
        app.UseAuthorizationWhereRequired();  // Only endpoints with rules; before the rate limits, so a refused caller spends no permit.
        app.UseRateLimiter();                 // Each endpoint's policy (RateLimits/), once the caller is known.
        app.UseApiDocs();                     // Swagger UI, only under /docs.
        app.UseLive();                        // The WebSocket handshake, only on the /ws paths.
        app.UseRawInputRules();               // Last, where a filter would run: raw path and query checks of endpoints mapped WithValidation().
        return app;
    }
}
