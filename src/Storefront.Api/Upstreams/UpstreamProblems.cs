using Storefront.Api.Http;

namespace Storefront.Api.Upstreams;

public static class UpstreamProblems
{
    /// <summary>
    /// A required upstream sank the request, named in <c>source</c>: 504 when it was too slow, 503 with Retry-After
    /// (the one "too busy" answer) while its circuit is open or its concurrency limit is full, 502 for anything else.
    /// </summary>
    public static ProblemHttpResult ToProblem(this SourceResult failure, HttpContext context)
    {
        var source = new Dictionary<string, object?> { ["source"] = failure.Source };
        if (failure.Status is SourceStatus.Open or SourceStatus.Rejected)
            return Problems.TooBusy(context, failure.Describe(), Math.Max(1, failure.RetryAfterSeconds), source);
        return TypedResults.Problem(failure.Describe(),
            statusCode: failure.Status == SourceStatus.Timeout ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status502BadGateway,
            extensions: source);
    }
}
