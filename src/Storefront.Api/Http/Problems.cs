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

    /// <summary>
    /// The one answer of a rate limiter's refusal: 429, Retry-After from the limiter's lease (else
    /// <paramref name="fallbackSeconds"/>), and Problem Details whose detail <paramref name="detail"/> writes from that wait.
    /// </summary>
    /// <param name="limit">The setting that bounds the caller, as the problem's <c>limit</c> member; null: none named.</param>
    public static async ValueTask RateLimitedAsync(System.Threading.RateLimiting.RateLimitLease lease, HttpContext http, int fallbackSeconds,
        Func<int, string> detail, string? limit = null)
    {
        var retryAfter = lease.TryGetMetadata(System.Threading.RateLimiting.MetadataName.RetryAfter, out var wait)
            ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds))
            : fallbackSeconds;
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var problem = new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = { Status = StatusCodes.Status429TooManyRequests, Detail = detail(retryAfter) },
        };
        if (limit is not null) problem.ProblemDetails.Extensions["limit"] = limit;
        // TryWrite: a client that accepts no JSON still gets the status and Retry-After, never an exception.
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().TryWriteAsync(problem);
    }

    public static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] },
            detail: "One or more fields are invalid.");
}
