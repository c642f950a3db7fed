using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Storefront.Api.Http;

/// <summary>
/// Turns every exception into Problem Details: what the client could not send correctly (<see cref="RequestFailures"/>)
/// is a 4xx with a safe sentence, a database that cannot answer right now a 503 with Retry-After
/// (<see cref="DependencyFailures"/>), anything else a 500 that says nothing about the internals.
/// </summary>
public sealed partial class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
            return false; // The client left; there is nobody to answer.

        if (DependencyFailures.IsUnavailable(exception))
        {
            // An outage is logged once per request without its stack: the stack says nothing the message does not.
            LogUnavailable(logger, httpContext.Request.Method, httpContext.Request.Path, exception.GetBaseException().Message);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} answered 503: the database is unavailable ({Reason})")]
    private static partial void LogUnavailable(ILogger logger, string method, string path, string reason);

    // The trace id in the line itself: the client quotes it from the answer, and without tracing no log scope carries it.
    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception on {Method} {Path} (trace_id {TraceId})")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path, string traceId);
}
