using System.Diagnostics;

namespace Storefront.Api.Http;

/// <summary>
/// The W3C trace id an error answer quotes and its log line carries. With tracing on it is the request's activity's
/// (the one exported). With tracing off no activity is made per request (Diagnostics/Telemetry: it costs every
/// request), so the id is made only when an error needs one: the incoming <c>traceparent</c>'s trace id, so a caller's
/// trace still finds it, else a fresh one.
/// </summary>
public static class RequestTrace
{
    private static readonly object Key = new();

    public static string TraceId(HttpContext context)
    {
        if (Activity.Current is { } activity) return activity.TraceId.ToHexString();
        if (context.Items.TryGetValue(Key, out var known) && known is string id) return id;
        id = FromTraceParent(context.Request.Headers.TraceParent.ToString()) ?? ActivityTraceId.CreateRandom().ToHexString();
        context.Items[Key] = id;
        return id;
    }

    /// <summary>The trace id of a valid <c>traceparent</c> (version-traceid-parentid-flags), else null.</summary>
    private static string? FromTraceParent(string header) =>
        ActivityContext.TryParse(header, traceState: null, out var parent) ? parent.TraceId.ToHexString() : null;
}
