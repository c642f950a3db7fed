using System.Diagnostics;
using System.Globalization;

namespace Storefront.Api.Http;

/// <summary>
/// Adds <c>X-Process-Time</c> (seconds spent in the server) to every response, errors included, as the seed does.
/// Written as plain middleware rather than a filter so it also covers 404s, 400s from binding and 500s.
/// </summary>
public sealed class ProcessTimeMiddleware(RequestDelegate next)
{
    public const string HeaderName = "X-Process-Time";

    private static readonly Func<object, Task> StampHeader = static state =>
    {
        var timing = (Timing)state;
        var elapsed = Stopwatch.GetElapsedTime(timing.Started);
        timing.Context.Response.Headers[HeaderName] = elapsed.TotalSeconds.ToString("0.000000", CultureInfo.InvariantCulture);
        return Task.CompletedTask;
    };

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(StampHeader, new Timing(context, Stopwatch.GetTimestamp()));
        return next(context);
    }

    private sealed record Timing(HttpContext Context, long Started);
}
