using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Http.Features;

namespace Storefront.Api.Diagnostics;

/// <summary>
/// The requests being served right now, so that when the thread pool stalls the warning can name the
/// routes that have been running longest (the usual suspects for blocking code).
/// </summary>
public sealed class InFlightRequests
{
    // The route text is built only when a warning asks for it: nothing is formatted per request.
    private readonly ConcurrentDictionary<long, (string Method, RouteEndpoint? Endpoint, string? Path, long Started)> _requests = new();
    private long _nextId;

    public long Begin(string method, RouteEndpoint? endpoint, string? path)
    {
        var id = Interlocked.Increment(ref _nextId);
        _requests[id] = (method, endpoint, endpoint is null ? path : null, Stopwatch.GetTimestamp());
        return id;
    }

    public void End(long id) => _requests.TryRemove(id, out _);

    /// <summary>The longest-running requests, oldest first.</summary>
    public IReadOnlyList<(string Route, TimeSpan Elapsed)> Longest(int count) =>
        _requests.Values.OrderBy(r => r.Started).Take(count)
            .Select(r => ($"{r.Method} {r.Endpoint?.RoutePattern.RawText ?? r.Path}", Stopwatch.GetElapsedTime(r.Started))).ToList();
}

/// <summary>Registers each request with <see cref="InFlightRequests"/> under its route pattern.</summary>
public sealed class InFlightRequestsMiddleware(RequestDelegate next, InFlightRequests inFlight)
{
    public Task InvokeAsync(HttpContext context) =>
        // An upgraded request (a WebSocket) waits on its client for hours without holding a thread: it would head
        // every warning's list of suspects, and sorting 10,000 of them is the warning's whole cost.
        context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } ? next(context) : TrackAsync(context);

    private async Task TrackAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint() as RouteEndpoint;
        var id = inFlight.Begin(context.Request.Method, endpoint, endpoint is null ? context.Request.Path.Value : null);
        try
        {
            await next(context);
        }
        finally
        {
            inFlight.End(id);
        }
    }
}
