using Microsoft.AspNetCore.Http.HttpResults;

namespace Storefront.Api.Upstreams;

public static class UpstreamProblems
{
    /// <summary>A required upstream sank the request: 504 when it was too slow, 502 for anything else; names the source.</summary>
    public static ProblemHttpResult ToProblem(this SourceResult failure) =>
        TypedResults.Problem(failure.Describe(),
            statusCode: failure.Status == SourceStatus.Timeout ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status502BadGateway,
            extensions: new Dictionary<string, object?> { ["source"] = failure.Source });
}
