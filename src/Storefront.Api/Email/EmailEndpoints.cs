using Microsoft.AspNetCore.Mvc;
using Storefront.Api.Data;
using Storefront.Api.Http;
using Storefront.Api.Jobs;
using Storefront.Api.RateLimits;

namespace Storefront.Api.Email;

public sealed record EmailQueuedResponse(string Message, string JobId);

/// <summary>The /send-email background task made durable (docs/seeds.md): a 202 means the job row is committed.</summary>
public static class EmailEndpoints
{
    /// <summary>POST /send-email per user (RateLimits__SendEmailPermits per window).</summary>
    public const string SendEmailPolicy = "send-email";

    private const string QueueFull = "Too many messages are waiting to be sent; try again later.";

    public static RouteGroupBuilder MapEmail(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Email").WithValidation().WithRequestDeadline();
        group.MapPost("/send-email", SendEmail).RequireAuthorization().RequireRateLimiting(SendEmailPolicy)
            .ProducesProblem(StatusCodes.Status429TooManyRequests).ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithLocation(StatusCodes.Status202Accepted, "The job: GET it for its status")
            .WithSummary("Queue an email to the given address (bearer token required)");
        return group;
    }

    private static async Task<Results<Accepted<EmailQueuedResponse>, ValidationProblem, UnauthorizedHttpResult, ProblemHttpResult>> SendEmail(
        [AsParameters] SendEmailQuery query, HttpContext context, StorefrontDbContext db, IJobQueue jobs, RecipientLimits recipients,
        CancellationToken cancellationToken)
    {
        if (CurrentUser.Id(context.User) is not { } userId) return TypedResults.Unauthorized();
        var to = query.Email!.Trim();
        if (await recipients.RefuseAsync(context, to, cancellationToken) is { } refused) return refused;
        var job = await jobs.EnqueueAsync(db, SendEmailHandler.JobKind, new SendEmailPayload(to, userId),
            EmailJsonContext.Default.SendEmailPayload, ownerId: userId, cancellationToken);
        if (job is null) return Problems.TooBusy(context, QueueFull, IJobQueue.FullRetryAfterSeconds);
        return TypedResults.Accepted($"/jobs/{job.Id}", new EmailQueuedResponse("Email sending started", job.Id));
    }

    /// <summary>Per user: the caller is authenticated by the time the limiter runs (it follows authorization).</summary>
    internal static System.Threading.RateLimiting.RateLimitPartition<string> PerUser(HttpContext context) =>
        SharedLimits.Per(context, SendEmailPolicy, CurrentUser.Id(context.User)?.ToString(System.Globalization.CultureInfo.InvariantCulture)
            ?? SharedLimits.ClientKey(context), o => o.SendEmailPermits);
}

/// <summary><c>/send-email?email=</c>.</summary>
public sealed record SendEmailQuery([FromQuery] string? Email) : IValidatable
{
    public Dictionary<string, string[]>? Validate() => EmailAddresses.Problem(Email) is { } problem
        ? new Dictionary<string, string[]> { ["email"] = [problem] }
        : null;
}
