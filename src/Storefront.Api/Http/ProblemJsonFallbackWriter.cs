using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;

namespace Storefront.Api.Http;

/// <summary>
/// Problem Details as JSON when the request's Accept names neither JSON nor */* (text/html, application/xml): the
/// framework's writer declines those, and the status-code pages then wrote text/plain. The API speaks one error format;
/// a client that asked for another still gets it, which RFC 9110 allows (Accept is a preference for errors).
/// </summary>
internal sealed class ProblemJsonFallbackWriter(IOptions<JsonOptions> json) : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var response = context.HttpContext.Response;
        var problem = context.ProblemDetails;
        problem.Status ??= response.StatusCode;
        HttpConventions.AddTraceAndDetail(context);
        var type = json.Value.SerializerOptions.GetTypeInfo(problem.GetType());
        return new ValueTask(response.WriteAsJsonAsync(problem, type, "application/problem+json", context.HttpContext.RequestAborted));
    }
}
