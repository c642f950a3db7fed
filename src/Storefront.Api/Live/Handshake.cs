using System.Net.WebSockets;
using Storefront.Api.Http;

namespace Storefront.Api.Live;

/// <summary>What is checked before a WebSocket handshake completes: every refusal is an HTTP answer with Problem Details.</summary>
internal sealed class Handshake(LiveSockets sockets, IOptions<WebSocketsOptions> options, LiveMetrics metrics)
{
    /// <summary>
    /// Null when the socket may be accepted; then a place is reserved for it (and for <paramref name="client"/>), to be
    /// given back with <see cref="LiveSockets.Release"/> when it ends.
    /// </summary>
    public ProblemHttpResult? Refusal(HttpContext context, string client)
    {
        if (!context.WebSockets.IsWebSocketRequest)
            return TypedResults.Problem("This is a WebSocket endpoint: open it with a WebSocket client (HTTP/1.1 GET with Upgrade: websocket).",
                statusCode: StatusCodes.Status400BadRequest);
        if (!OriginAllowed(context))
        {
            metrics.Refused("origin");
            return TypedResults.Problem($"WebSockets from origin {context.Request.Headers.Origin} are not allowed here (WebSockets__AllowedOrigins).",
                statusCode: StatusCodes.Status403Forbidden);
        }
        if (sockets.IsStopping)
        {
            metrics.Refused("stopping");
            return Problems.TooBusy(context, "This instance is shutting down; connect again (to another instance).");
        }
        switch (sockets.TryReserve(client))
        {
            case Reservation.InstanceFull:
                metrics.Refused("capacity");
                return Problems.TooBusy(context, $"This instance holds as many WebSockets as it allows ({options.Value.MaxConnections}); try again shortly.");
            case Reservation.ClientFull:
                metrics.Refused("client");
                context.Response.Headers.RetryAfter = "5";
                return TypedResults.Problem($"This client address holds as many WebSockets as one may ({options.Value.MaxConnectionsPerClient}, " +
                    "WebSockets__MaxConnectionsPerClient): close one first.", statusCode: StatusCodes.Status429TooManyRequests);
            default:
                return null;
        }
    }

    public WebSocketAcceptContext AcceptContext() => new()
    {
        KeepAliveInterval = TimeSpan.FromSeconds(options.Value.KeepAliveSeconds),
        KeepAliveTimeout = TimeSpan.FromSeconds(options.Value.KeepAliveTimeoutSeconds),
    };

    /// <summary>No Origin (a non-browser client), the service's own origin, or one of the configured ones.</summary>
    private bool OriginAllowed(HttpContext context)
    {
        var origin = context.Request.Headers.Origin.ToString();
        if (origin.Length == 0) return true;
        var allowed = options.Value.AllowedOrigins;
        if (allowed.Contains("*")) return true;
        if (allowed.Any(o => string.Equals(o.TrimEnd('/'), origin, StringComparison.OrdinalIgnoreCase))) return true;
        var request = context.Request;
        return Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            && string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>Close codes beyond <see cref="WebSocketCloseStatus"/>'s names.</summary>
internal static class CloseCodes
{
    /// <summary>1013 Try Again Later: the client fell too far behind the feed.</summary>
    public const WebSocketCloseStatus TryAgainLater = (WebSocketCloseStatus)1013;
}
