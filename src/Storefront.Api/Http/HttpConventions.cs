using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.WebUtilities;

namespace Storefront.Api.Http;

/// <summary>
/// What every endpoint shares: snake_case JSON, Problem Details for every error, limits, the headers on every response
/// (X-Process-Time, nosniff), the AllowedHosts check. HEAD on GET routes is <see cref="HeadRequests"/>, on the route group.
/// </summary>
public static class HttpConventions
{
    /// <summary>The request-timeout policy of endpoints that do I/O (Limits__RequestTimeoutSeconds).</summary>
    public const string RequestDeadline = "request-deadline";

    public static TBuilder WithRequestDeadline<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.WithRequestTimeout(RequestDeadline);
        return builder;
    }

    /// <summary>A body limit tighter than Limits__MaxRequestBodyBytes for one endpoint: routing sets it before the body is read.</summary>
    public static TBuilder WithRequestBodyLimit<TBuilder>(this TBuilder builder, long bytes) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequestBodyLimit(bytes));

    private sealed record RequestBodyLimit(long? MaxRequestBodySize) : Microsoft.AspNetCore.Http.Metadata.IRequestSizeLimitMetadata;

    /// <summary>
    /// Puts a feature's source-generated JSON context in front of the request and response serializer, so its types
    /// are written without reflection. Every context declares <c>[JsonSourceGenerationOptions(PropertyNamingPolicy =
    /// JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]</c>.
    /// </summary>
    public static IServiceCollection AddJsonTypes(this IServiceCollection services, JsonSerializerContext context) =>
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, context));

    /// <summary>
    /// A feature's options, bound from their configuration section and checked against their data annotations when the
    /// host starts, so a bad setting stops it before it serves.
    /// </summary>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions>(this IServiceCollection services, string section)
        where TOptions : class =>
        services.AddOptions<TOptions>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();

    public static WebApplicationBuilder AddHttpConventions(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<LimitsOptions>(LimitsOptions.Section);

        services.AddOptions<ProxyOptions>().BindConfiguration(ProxyOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ProxyOptions>, ProxyOptionsValidator>();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ProxyOptions>>((o, proxy) => ProxyOptions.Configure(o, proxy.Value));

        // Each feature adds its own source-generated context (AddJsonTypes); reflection stays the fallback.
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            // The web defaults read "9.99" as a number; numbers are JSON numbers here, on every endpoint.
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
        });
        // Binding failures (bad path or query values, malformed JSON) throw, so one handler words them all.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);

        services.AddProblemDetails(o => o.CustomizeProblemDetails = AddTraceAndDetail);
        // After the framework's writer, which declines when Accept names neither JSON nor */*: errors stay JSON then too.
        services.AddSingleton<IProblemDetailsWriter, ProblemJsonFallbackWriter>();
        services.AddExceptionHandler<ApiExceptionHandler>();
        AllowedHosts.AddHostChecks(services);

        services.AddOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>()
            .Configure<IOptions<LimitsOptions>>((kestrel, limits) =>
            {
                var l = limits.Value;
                kestrel.AddServerHeader = false;
                kestrel.Limits.MaxRequestBodySize = l.MaxRequestBodyBytes;
                kestrel.Limits.MaxRequestHeadersTotalSize = l.MaxRequestHeadersTotalBytes;
                kestrel.Limits.MaxConcurrentConnections = l.MaxConcurrentConnections;
                kestrel.Limits.MaxConcurrentUpgradedConnections = l.MaxConcurrentConnections;
                kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(l.RequestHeadersTimeoutSeconds);
            });
        // A connection's output is sent on the thread that flushes it, not handed to one of Kestrel's I/O queues. Handed
        // over, every connection a fan-out writes to holds a pooled 4 KB block until a queue thread gets to it: a
        // change pushed to thousands of sockets held thousands of blocks at once. On Linux the socket completions that
        // continue a request already run on thread-pool threads (DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS, which
        // would move them onto the epoll thread, must stay unset), so nothing new runs on an I/O thread; the "unsafe"
        // in the name is for handlers that block a thread, which this service has none of (STYLE.md, async all the way).
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets.SocketTransportOptions>(o => o.UnsafePreferInlineScheduling = true);
        services.AddRequestTimeouts();
        // A named policy for endpoints that chain several waits (accounts, jobs, catalog writes, the lessons'
        // upstream calls). Endpoints bounded by one deadline of their own skip it: answers from memory (/, /metrics,
        // /health), single reads under the database's command timeout, the product sources' deadlines, the cache's
        // Redis timeout, the CPU runners' deadlines, /slow ≤ 30 s. A per-request timer shows in GET /'s throughput
        // (docs/benchmarks-notes.md).
        services.AddOptions<RequestTimeoutOptions>().Configure<IOptions<LimitsOptions>>((o, limits) =>
            o.AddPolicy(RequestDeadline, new RequestTimeoutPolicy
            {
                Timeout = TimeSpan.FromSeconds(limits.Value.RequestTimeoutSeconds),
                TimeoutStatusCode = StatusCodes.Status504GatewayTimeout,
            }));
        return builder;
    }

    /// <summary>The client's address and scheme from the forwarded headers, only with Proxy__TrustedProxies set.</summary>
    public static WebApplication UseForwardedClient(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<ProxyOptions>>().Value.TrustedProxies.Count > 0) app.UseForwardedHeaders();
        return app;
    }

    /// <summary>X-Process-Time and nosniff on every response (<see cref="ResponseHeadersMiddleware"/>).</summary>
    public static WebApplication UseResponseHeaders(this WebApplication app)
    {
        app.UseMiddleware<ResponseHeadersMiddleware>();
        return app;
    }

    /// <summary>Exceptions answered as Problem Details by <see cref="ApiExceptionHandler"/>.</summary>
    public static WebApplication UseProblemDetailsForExceptions(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // ApiExceptionHandler logs what deserves a line (a 500 once, an outage once); the middleware's own line would
            // repeat every 500 with its stack and add one for every answered 503 and client mistake.
            SuppressDiagnosticsCallback = _ => true,
        });
        return app;
    }

    /// <summary>A Problem Details body for errors answered without one (<see cref="StatusPagesMiddleware"/>).</summary>
    public static WebApplication UseStatusPages(this WebApplication app)
    {
        app.UseMiddleware<StatusPagesMiddleware>();
        return app;
    }

    /// <summary>Longest part of a request path an error repeats: a 6,000-character path is not sent back whole.</summary>
    public const int MaxEchoedPath = 200;

    private static string EchoedPath(HttpContext context)
    {
        var path = context.Request.Path.ToString();
        return path.Length <= MaxEchoedPath ? path : string.Concat(path.AsSpan(0, MaxEchoedPath), "…");
    }

    internal static void AddTraceAndDetail(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        // The framework's defaults cover the common statuses only (not 429, 413, 431...).
        problem.Title ??= ReasonPhrases.GetReasonPhrase(problem.Status ?? context.HttpContext.Response.StatusCode);
        problem.Type ??= $"https://httpwg.org/specs/rfc9110.html#status.{problem.Status ?? context.HttpContext.Response.StatusCode}";
        // The W3C trace id of the request's trace (when tracing is on, the exported one), so a report can be found.
        problem.Extensions["trace_id"] = RequestTrace.TraceId(context.HttpContext);
        problem.Detail ??= problem.Status switch
        {
            StatusCodes.Status401Unauthorized => "A valid bearer token is required: get one from POST /token.",
            StatusCodes.Status403Forbidden => "This token does not allow that.",
            StatusCodes.Status404NotFound => $"Nothing is served at {context.HttpContext.Request.Method} {EchoedPath(context.HttpContext)}.",
            StatusCodes.Status405MethodNotAllowed => $"{context.HttpContext.Request.Method} is not allowed on {EchoedPath(context.HttpContext)}.",
            StatusCodes.Status504GatewayTimeout => "The request took longer than the server allows.",
            _ => problem.Title,
        };
    }
}
