using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Storefront.Api.Data;
using Storefront.Api.Email;
using Storefront.Api.Http;
using Storefront.Api.Users;

namespace Storefront.Api.Jobs;

/// <summary>The seed's BackgroundTasks, made durable: a 202 means the job row is committed.</summary>
public static class JobEndpoints
{
    public const int MaxLogBytes = 64 * 1024;

    public static RouteGroupBuilder MapJobs(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Jobs").WithRequestDeadline();
        group.MapPost("/send-email", SendEmail).RequireAuthorization()
            .WithSummary("Queue an email to the given address (bearer token required)");
        group.MapPost("/log", Log)
            .WithSummary("Queue a JSON object (≤ 64 KB) to be written to the service log")
            .Accepts<JsonElement>("application/json");
        group.MapGet("/jobs/{job_id}", GetJob).WithSummary("A job's status");
        return group;
    }

    private static async Task<Results<Accepted<EmailQueuedResponse>, ValidationProblem, UnauthorizedHttpResult>> SendEmail(
        [FromQuery] string? email, HttpContext context, StorefrontDbContext db, JobScheduler jobs, CancellationToken cancellationToken)
    {
        if (CurrentUser.Id(context.User) is not { } userId) return TypedResults.Unauthorized();
        if (RegisterRequest.EmailError(email) is { } error) return Problems.Invalid("email", error);
        var job = await jobs.EnqueueAsync(db, SendEmailHandler.JobKind, new SendEmailPayload(email!.Trim(), userId),
            AppJsonContext.Default.SendEmailPayload, cancellationToken);
        return TypedResults.Accepted($"/jobs/{job.Id}", new EmailQueuedResponse("Email sending started", job.Id));
    }

    private static async Task<Results<Accepted<LogQueuedResponse>, ValidationProblem>> Log(
        HttpContext context, StorefrontDbContext db, JobScheduler jobs, CancellationToken cancellationToken)
    {
        // The body is bound here, not by the framework, so this endpoint's tighter limit applies before reading.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = MaxLogBytes;
        if (context.Request.ContentLength > MaxLogBytes)
            throw new BadHttpRequestException($"The body is larger than {MaxLogBytes} bytes.", StatusCodes.Status413PayloadTooLarge);

        JsonElement entry;
        try
        {
            entry = await JsonSerializer.DeserializeAsync(context.Request.Body, AppJsonContext.Default.JsonElement, cancellationToken);
        }
        catch (JsonException ex)
        {
            throw new BadHttpRequestException("The request body is not valid JSON.", StatusCodes.Status400BadRequest, ex);
        }
        if (entry.ValueKind != JsonValueKind.Object)
            return Problems.Invalid("body", "Must be a JSON object.");

        var job = await jobs.EnqueueAsync(db, LogJobHandler.JobKind, entry, AppJsonContext.Default.JsonElement, cancellationToken);
        return TypedResults.Accepted($"/jobs/{job.Id}", new LogQueuedResponse("queued", job.Id));
    }

    private static async Task<Results<Ok<JobResponse>, ProblemHttpResult, ValidationProblem>> GetJob(
        [FromRoute(Name = "job_id")] string jobId, StorefrontDbContext db, CancellationToken cancellationToken)
    {
        if (jobId.Length != 32 || !jobId.All(char.IsAsciiHexDigitLower))
            return Problems.Invalid("job_id", "A job id is 32 lower-case hexadecimal characters.");
        var job = await db.Jobs.Where(j => j.Id == jobId)
            .Select(j => new JobResponse(j.Id, j.Kind, j.Status, j.Attempts, j.LastError, j.CreatedAt, j.FinishedAt))
            .FirstOrDefaultAsync(cancellationToken);
        return job is null ? Problems.NotFound($"Job {jobId} does not exist.") : TypedResults.Ok(job);
    }
}
