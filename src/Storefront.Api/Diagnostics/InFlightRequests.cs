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

    /// <summary>The longest-running requests, oldest first, without the ones open by design (<see cref="LongLivedRequest"/>).</summary>
    public IReadOnlyList<(string Route, TimeSpan Elapsed)> Longest(int count) =>
        Current().OrderBy(r => r.Started).Take(count)
            .Select(r => ($"{r.Method} {r.Endpoint?.RoutePattern.RawText ?? r.Path}", Stopwatch.GetElapsedTime(r.Started))).ToList();

    /// <summary>How many requests are being served now, without the ones open by design. Walks them all: read it rarely.</summary>
    public int Count => Current().Count();

    // Filtered when read, not when a request begins: the metadata lookup would cost every request.
    private IEnumerable<(string Method, RouteEndpoint? Endpoint, string? Path, long Started)> Current() =>
        _requests.Values.Where(r => r.Endpoint?.Metadata.GetMetadata<LongLivedRequest>() is null);
}

/// <summary>
/// Endpoint metadata of a request that stays open by design (a server-sent-events stream): it holds no thread while it
/// waits, so it is neither counted in flight nor named as a suspect when the thread pool stalls, where it would head
/// every list.
/// </summary>
public sealed class LongLivedRequest
{
    public static readonly LongLivedRequest Instance = new();

    private LongLivedRequest() { }
}

/// <summary>
/// Tracks the requests in flight for the blocking detector and admits them through the overload limit: one async layer
/// for both, since every suspended layer is memory held by each waiting request.
/// </summary>
public sealed class InFlightRequestsMiddleware(RequestDelegate next, InFlightRequests inFlight, OverloadLimit overload)
{
    public Task InvokeAsync(HttpContext context)
    {
        // An upgraded request (a WebSocket) waits on its client for hours without holding a thread: it would head
        // every warning's list of suspects (sorting 10,000 of them is the warning's whole cost), and it is bounded by
        // the WebSocket endpoints' own limits rather than the overload limit.
        if (context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true }) return next(context);
        return overload.TryEnter(context) ? TrackAsync(context) : OverloadLimit.RefuseAsync(context);
    }

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
            overload.Exit();
        }
    }
}

public static class LongLivedRequestExtensions
{
    /// <summary>Marks an endpoint whose requests stay open by design (<see cref="LongLivedRequest"/>).</summary>
    public static TBuilder AsLongLived<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(LongLivedRequest.Instance);
}
