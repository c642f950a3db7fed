using Microsoft.AspNetCore.Http.HttpResults;
using Storefront.Api.Upstreams;

namespace Storefront.Api.Http;

/// <summary>Problem Details results with the project's wording; trace ids are added centrally.</summary>
public static class Problems
{
    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound);

    public static ProblemHttpResult BadGateway(string detail, string source) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status502BadGateway,
            extensions: new Dictionary<string, object?> { ["source"] = source });

    public static ProblemHttpResult GatewayTimeout(string detail, string source) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status504GatewayTimeout,
            extensions: new Dictionary<string, object?> { ["source"] = source });

    /// <summary>A required upstream sank the request: 504 when it was too slow, 502 for anything else.</summary>
    public static ProblemHttpResult UpstreamFailed(SourceResult failure) => failure.Status == SourceStatus.Timeout
        ? GatewayTimeout(failure.Describe(), failure.Source)
        : BadGateway(failure.Describe(), failure.Source);

    public static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] },
            detail: "One or more fields are invalid.");
}
