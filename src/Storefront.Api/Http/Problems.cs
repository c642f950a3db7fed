using Microsoft.AspNetCore.Http.HttpResults;

namespace Storefront.Api.Http;

/// <summary>Problem Details results with the project's wording; trace ids are added centrally.</summary>
public static class Problems
{
    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound);

    /// <summary>
    /// The one "too busy" answer, for every bounded resource that is full (CPU queues, password hashing) and every
    /// upstream whose circuit is open: 503 with Retry-After, so a client comes back later instead of piling more work on.
    /// </summary>
    /// <param name="extensions">Members added to the problem (an upstream's <c>source</c>).</param>
    public static ProblemHttpResult TooBusy(HttpContext context, string detail, int retryAfterSeconds = 1,
        IDictionary<string, object?>? extensions = null)
    {
        context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(detail, statusCode: StatusCodes.Status503ServiceUnavailable, extensions: extensions);
    }

    public static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] },
            detail: "One or more fields are invalid.");
}
