using Microsoft.AspNetCore.Http.HttpResults;

namespace Storefront.Api.Http;

/// <summary>Problem Details results with the project's wording; trace ids are added centrally.</summary>
public static class Problems
{
    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound);

    /// <summary>
    /// The one "too busy" answer, for every bounded resource that is full (CPU queues, password hashing, bulkheads):
    /// 503 with Retry-After, so a client comes back shortly instead of piling more work on.
    /// </summary>
    public static ProblemHttpResult TooBusy(HttpContext context, string detail, int retryAfterSeconds = 1)
    {
        context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(detail, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    public static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] },
            detail: "One or more fields are invalid.");
}
