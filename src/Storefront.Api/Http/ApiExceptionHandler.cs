using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Storefront.Api.Http;

/// <summary>
/// Turns every exception into Problem Details: what the client could not send correctly (<see cref="RequestFailures"/>)
/// is a 4xx with a safe sentence, a database that cannot answer right now a 503 with Retry-After
/// (<see cref="DependencyFailures"/>), anything else a 500 that says nothing about the internals. It is the only
/// place an exception on a request path is logged (the framework's middleware is told not to): a 500 is one line,
/// a client that left is none above Debug, and an outage is one warning line, not one per answer.
/// </summary>
public sealed partial class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger, TimeProvider clock)
    : IExceptionHandler
{
    /// <summary>Status for a request whose client went away before the answer (nginx's convention; nobody receives it).</summary>
    public const int ClientClosedRequest = 499;

    private readonly OutageLog _outage = new(clock);

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (ClientLeft(httpContext, exception))
        {
            // Not a server error, and an unauthenticated client must not be able to fill the log by hanging up.
            LogClientLeft(logger, httpContext.Request.Method, httpContext.Request.Path);
            if (!httpContext.Response.HasStarted) httpContext.Response.StatusCode = ClientClosedRequest;
            // Nobody to answer, and nothing left to read: without the abort Kestrel would try to drain the rest of the
            // body from the dead connection and log that failure as an error with its stack.
            httpContext.Abort();
            return true;
        }

        if (DependencyFailures.IsUnavailable(exception))
        {
            // One line when an outage begins, then at most one per OutageLog.Interval with the count: the stack says
            // nothing the message does not, and thousands of correct 503s are not thousands of news.
            if (_outage.ShouldLog(out var since))
                LogUnavailable(logger, httpContext.Request.Method, httpContext.Request.Path, exception.GetBaseException().Message, since);
            httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            httpContext.Response.Headers.RetryAfter = DependencyFailures.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = httpContext,
                Exception = exception,
                ProblemDetails = { Status = StatusCodes.Status503ServiceUnavailable, Detail = DependencyFailures.DatabaseDetail },
            });
        }

        var failure = RequestFailures.Describe(httpContext, exception);
        if (failure is null) LogUnhandled(logger, exception, httpContext.Request.Method, httpContext.Request.Path, RequestTrace.TraceId(httpContext));
        var status = failure?.Status ?? StatusCodes.Status500InternalServerError;
        var problem = failure?.Errors is { } errors ? new HttpValidationProblemDetails(errors) : new ProblemDetails();
        problem.Status = status;
        problem.Detail = failure?.Detail ?? "An unexpected error occurred. Quote the trace_id when reporting it.";

        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, Exception = exception, ProblemDetails = problem });
    }

    // A reset connection surfaces as a ConnectionResetException from the body read (mid-upload, mid-webhook) before the
    // abort token is seen; a cancelled read or write after it as an OperationCanceledException or IOException.
    private static bool ClientLeft(HttpContext context, Exception exception) =>
        exception is ConnectionResetException || exception.InnerException is ConnectionResetException ||
        (context.RequestAborted.IsCancellationRequested && exception is OperationCanceledException or IOException or BadHttpRequestException);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} answered 503: the database is unavailable ({Reason}); {Answered} such answers since the last line")]
    private static partial void LogUnavailable(ILogger logger, string method, string path, string reason, long answered);

    // The trace id in the line itself: the client quotes it from the answer, and without tracing no log scope carries it.
    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception on {Method} {Path} (trace_id {TraceId})")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path, string traceId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Method} {Path}: the client went away before the answer")]
    private static partial void LogClientLeft(ILogger logger, string method, string path);
}

/// <summary>Whether an outage answer should be logged: the first, then one per <see cref="Interval"/>, with a count.</summary>
internal sealed class OutageLog(TimeProvider clock)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    private long _lastLogged = long.MinValue;
    private long _answered;

    public bool ShouldLog(out long answered)
    {
        var count = Interlocked.Increment(ref _answered);
        var now = clock.GetTimestamp();
        var last = Interlocked.Read(ref _lastLogged);
        answered = count;
        if (last != long.MinValue && clock.GetElapsedTime(last, now) < Interval) return false;
        if (Interlocked.CompareExchange(ref _lastLogged, now, last) != last) return false; // Another request logs this one.
        answered = Interlocked.Exchange(ref _answered, 0);
        return true;
    }
}
