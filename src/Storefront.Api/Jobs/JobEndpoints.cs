using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Storefront.Api.Data;
using Storefront.Api.Http;

namespace Storefront.Api.Jobs;

/// <summary>Background tasks made durable (docs/seeds.md): a 202 means the job row is committed.</summary>
public static class JobEndpoints
{
    public const int MaxLogBytes = 64 * 1024;

    /// <summary>POST /log per client address (RateLimits__LogPermits): it is anonymous, and each entry is a stored row.</summary>
    public const string LogPolicy = "log";

    private const string QueueFull = "Too many log entries are waiting to be written; try again later.";

    public static RouteGroupBuilder MapJobs(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Jobs").WithRequestDeadline();
        // The framework reads the body, under this endpoint's own limit (413 past it, before anything is read).
        group.MapPost("/log", Log).WithRequestBodyLimit(MaxLogBytes).RequireRateLimiting(LogPolicy)
            .ProducesProblem(StatusCodes.Status429TooManyRequests).ProducesProblem(StatusCodes.Status503ServiceUnavailable).WithLocation(StatusCodes.Status202Accepted, "The job: GET it for its status")
            .WithSummary("Queue a JSON object (≤ 64 KB) to be written to the service log");
        group.MapGet("/jobs/{job_id}", GetJob).WithValidation().WithOptionalBearer()
            .WithSummary("A job's status; its details only to the user who queued it (bearer token)");
        return group;
    }

    private static async Task<Results<Accepted<LogQueuedResponse>, ValidationProblem, ProblemHttpResult>> Log(
        [FromBody] JsonElement entry, HttpContext context, StorefrontDbContext db, IJobQueue jobs, CancellationToken cancellationToken)
    {
        if (entry.ValueKind != JsonValueKind.Object)
            return Problems.Invalid("body", "Must be a JSON object.");
        // Nothing decodes a free-form entry's strings until it is stored and logged: check now that they are text.
        if (JsonText.FindInvalid(entry) is { } path)
            return Problems.Invalid("body", $"At {path}: not valid Unicode text (a lone surrogate, invalid UTF-8 or NUL).");

        var job = await jobs.EnqueueAsync(db, LogJobHandler.JobKind, entry, JobsJsonContext.Default.JsonElement, ownerId: null, cancellationToken);
        if (job is null) return Problems.TooBusy(context, QueueFull, IJobQueue.FullRetryAfterSeconds);
        return TypedResults.Accepted($"/jobs/{job.Id}", new LogQueuedResponse("queued", job.Id));
    }

    /// <summary>
    /// The user who queued a job sees all of it; anyone else gets the 404 of a job that does not exist, so a job id
    /// seen in a log or a URL tells a stranger nothing. A job nobody owns (/log) shows its status alone.
    /// </summary>
    private static async Task<Results<JsonOk<JobResponse>, JsonOk<JobStatusResponse>, ProblemHttpResult, ValidationProblem>> GetJob(
        [AsParameters] JobRoute route, HttpContext context, StorefrontDbContext db, CancellationToken cancellationToken)
    {
        var jobId = route.JobId;
        var job = await db.Jobs.Where(j => j.Id == jobId)
            .Select(j => new { j.OwnerId, Response = new JobResponse(j.Id, j.Kind, j.Status, j.Attempts, j.LastError, j.CreatedAt, j.FinishedAt) })
            .FirstOrDefaultAsync(cancellationToken);
        if (job is null || (job.OwnerId is { } owner && owner != CurrentUser.Id(context.User)))
            return Problems.NotFound($"Job {jobId} does not exist.");
        return job.OwnerId is null
            ? JsonOk.Of(new JobStatusResponse(job.Response.Id, job.Response.Status))
            : JsonOk.Of(job.Response);
    }
}

/// <summary>The <c>{job_id}</c> of /jobs/{job_id}.</summary>
public sealed record JobRoute([FromRoute(Name = "job_id")] string JobId) : IValidatable
{
    public Dictionary<string, string[]>? Validate() => new ValidationErrors()
        .Check(JobId.Length == 32 && JobId.All(char.IsAsciiHexDigitLower), "job_id", "A job id is 32 lower-case hexadecimal characters.")
        .ToDictionary();
}
