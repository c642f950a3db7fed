using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;

namespace Storefront.Api.Diagnostics.Metrics;

/// <summary>
/// Counts requests and their latency per method, route and status code, and the requests in flight. Place it first
/// in the pipeline: it then times the whole request and sees the final status, 500s from the exception handler included.
/// </summary>
public sealed class RequestMetricsMiddleware
{
    public const string MeterName = "Storefront.Http";

    // The tag values are all preexisting strings, so a TagList of three (inline up to eight) allocates nothing.
    private static readonly string[] StatusTexts = [.. Enumerable.Range(100, 500).Select(s => s.ToString(CultureInfo.InvariantCulture))];

    private readonly RequestDelegate _next;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly UpDownCounter<long> _inFlight;

    public RequestMetricsMiddleware(RequestDelegate next, IMeterFactory meterFactory)
    {
        _next = next;
        var meter = meterFactory.Create(MeterName);
        _requests = meter.CreateCounter<long>("storefront.http.requests", "{request}",
            "HTTP requests answered, by method, route pattern and status code.");
        _duration = meter.CreateHistogram<double>("storefront.http.request.duration", "s",
            "Time from the request entering the pipeline to the handler finishing, by method, route pattern and status code.");
        _inFlight = meter.CreateUpDownCounter<long>("storefront.http.requests.in_flight", "{request}",
            "Requests being processed now.");
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        // Routing has run before the app's middleware; read it now, because the exception handler clears it on a 500.
        var endpoint = context.GetEndpoint();
        _inFlight.Add(1);
        var completed = false;
        try
        {
            await _next(context);
            completed = true;
        }
        finally
        {
            _inFlight.Add(-1);
            // An exception escaping the pipeline becomes a 500, unless the response had already started.
            var status = completed || context.Response.HasStarted ? context.Response.StatusCode : StatusCodes.Status500InternalServerError;
            var tags = new TagList
            {
                { "method", Method(context.Request.Method) },
                { "route", (endpoint ?? context.GetEndpoint()) is RouteEndpoint route ? route.RoutePattern.RawText ?? "unmatched" : "unmatched" },
                { "status", status is >= 100 and < 600 ? StatusTexts[status - 100] : status.ToString(CultureInfo.InvariantCulture) },
            };
            _requests.Add(1, tags);
            _duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
        }
    }

    /// <summary>The client picks the method: any it likes would be a new series each, so unknown ones are pooled.</summary>
    private static string Method(string method) => method switch
    {
        "GET" => "GET",
        "POST" => "POST",
        "PUT" => "PUT",
        "DELETE" => "DELETE",
        "PATCH" => "PATCH",
        "HEAD" => "HEAD",
        "OPTIONS" => "OPTIONS",
        _ => "OTHER",
    };
}
