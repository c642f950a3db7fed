using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Storefront.Api.Data;
using Storefront.Api.Http;
using Storefront.Api.Jobs;

namespace Storefront.Api.Email;

public sealed record EmailQueuedResponse(string Message, string JobId);

/// <summary>The seed's /send-email background task, made durable: a 202 means the job row is committed.</summary>
public static class EmailEndpoints
{
    public static RouteGroupBuilder MapEmail(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Email").WithValidation().WithRequestDeadline();
        group.MapPost("/send-email", SendEmail).RequireAuthorization()
            .WithLocation(StatusCodes.Status202Accepted, "The job: GET it for its status")
            .WithSummary("Queue an email to the given address (bearer token required)");
        return group;
    }

    private static async Task<Results<Accepted<EmailQueuedResponse>, ValidationProblem, UnauthorizedHttpResult>> SendEmail(
        [AsParameters] SendEmailQuery query, HttpContext context, StorefrontDbContext db, IJobQueue jobs, CancellationToken cancellationToken)
    {
        if (CurrentUser.Id(context.User) is not { } userId) return TypedResults.Unauthorized();
        var job = await jobs.EnqueueAsync(db, SendEmailHandler.JobKind, new SendEmailPayload(query.Email!.Trim(), userId),
            EmailJsonContext.Default.SendEmailPayload, ownerId: userId, cancellationToken);
        return TypedResults.Accepted($"/jobs/{job.Id}", new EmailQueuedResponse("Email sending started", job.Id));
    }
}

/// <summary><c>/send-email?email=</c>.</summary>
public sealed record SendEmailQuery([FromQuery] string? Email) : IValidatable
{
    public Dictionary<string, string[]>? Validate() => EmailAddresses.Problem(Email) is { } problem
        ? new Dictionary<string, string[]> { ["email"] = [problem] }
        : null;
}
