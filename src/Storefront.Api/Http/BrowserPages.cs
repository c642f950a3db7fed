namespace Storefront.Api.Http;

/// <summary>What the service's own HTML pages (/docs, /dashboard) send so that no other site can frame them.</summary>
public static class BrowserPages
{
    /// <summary>
    /// CSP frame-ancestors 'none' (and X-Frame-Options for browsers that predate it): a page another site frames can be
    /// overlaid to trick a signed-in person into clicks (clickjacking). The pages are meant to be opened, never embedded.
    /// </summary>
    public const string ContentSecurityPolicy = "frame-ancestors 'none'";

    /// <summary>Adds the no-framing headers to every response of the branch it is used in.</summary>
    public static IApplicationBuilder UseNoFraming(this IApplicationBuilder app) => app.Use(next => context =>
    {
        context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        context.Response.Headers.XFrameOptions = "DENY";
        return next(context);
    });
}
