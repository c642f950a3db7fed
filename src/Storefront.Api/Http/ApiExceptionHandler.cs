using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;

namespace Storefront.Api.Http;

/// <summary>
/// Turns every exception into Problem Details: the framework's bad-request exceptions keep their status and a
/// safe message, anything else becomes a 500 that says nothing about the internals.
/// </summary>
public sealed partial class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
            return false; // The client left; there is nobody to answer.

        if (exception is BadHttpRequestException binding && BindingFailure.TryDescribe(binding.Message) is { } field)
        {
            // A path or query value of the wrong type: name the field the way the client spelled it.
            httpContext.Response.StatusCode = StatusCodes.Status400BadRequest;
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = httpContext,
                Exception = exception,
                ProblemDetails = new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field.Name] = [field.Message] })
                {
                    Status = StatusCodes.Status400BadRequest,
                    Detail = "One or more fields are invalid.",
                },
            });
        }

        var (status, detail) = exception switch
        {
            BadHttpRequestException { InnerException: JsonException json } =>
                (StatusCodes.Status400BadRequest, DescribeJsonError(json)),
            BadHttpRequestException bad => (bad.StatusCode, bad.Message),
            _ => (StatusCodes.Status500InternalServerError, "An unexpected error occurred. Quote the trace_id when reporting it."),
        };
        if (status >= 500) LogUnhandled(logger, exception, httpContext.Request.Method, httpContext.Request.Path);

        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = status, Detail = detail },
        });
    }

    private static string DescribeJsonError(JsonException json) =>
        json.Path is { Length: > 0 } path
            ? $"The request body is not valid JSON for this endpoint (at {path}, line {json.LineNumber + 1}, byte {json.BytePositionInLine})."
            : "The request body is not valid JSON.";

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception on {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path);
}
