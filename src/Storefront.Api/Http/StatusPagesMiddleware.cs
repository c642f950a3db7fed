using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Metadata;

namespace Storefront.Api.Http;

/// <summary>
/// A Problem Details body for an error answered without one (unknown routes, 405s, a deadline's 504), as the framework's
/// <c>UseStatusCodePages()</c> writes with its default handler: same conditions, same body, and endpoints marked
/// <c>[SkipStatusCodePages]</c> or a request whose <see cref="IStatusCodePagesFeature"/> is disabled are left alone.
/// Written here because the framework's middleware gives every request a feature object and an Items dictionary (kept
/// for re-execution and Razor's not-found pages, which this service has neither of) that stay alive for as long as the
/// request waits: memory held by each of thousands of open requests (docs/benchmarks-notes.md).
/// </summary>
internal sealed class StatusPagesMiddleware(RequestDelegate next, IProblemDetailsService problems)
{
    public Task InvokeAsync(HttpContext context)
    {
        var answered = next(context);
        if (!answered.IsCompletedSuccessfully) return AfterAsync(context, answered);
        return NeedsBody(context) ? WriteAsync(context) : Task.CompletedTask;
    }

    private async Task AfterAsync(HttpContext context, Task answered)
    {
        await answered;
        if (NeedsBody(context)) await WriteAsync(context);
    }

    private static bool NeedsBody(HttpContext context)
    {
        var response = context.Response;
        return !response.HasStarted && response.StatusCode is >= 400 and < 600 && response.ContentLength is null
            && string.IsNullOrEmpty(response.ContentType)
            && context.Features.Get<IStatusCodePagesFeature>() is not { Enabled: false }
            && context.GetEndpoint()?.Metadata.GetMetadata<ISkipStatusCodePagesMetadata>() is null;
    }

    private Task WriteAsync(HttpContext context) =>
        problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = { Status = context.Response.StatusCode } }).AsTask();
}
