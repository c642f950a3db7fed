using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Storefront.Api.Data;
using Storefront.Api.Http;

namespace Storefront.Api.Jobs;

/// <summary>The seed's BackgroundTasks, made durable: a 202 means the job row is committed.</summary>
public static class JobEndpoints
{
    public const int MaxLogBytes = 64 * 1024;

    public static RouteGroupBuilder MapJobs(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Jobs").WithRequestDeadline();
        group.MapPost("/log", Log)
            .WithSummary("Queue a JSON object (≤ 64 KB) to be written to the service log")
            .Accepts<JsonElement>("application/json");
        group.MapGet("/jobs/{job_id}", GetJob).WithValidation()
            .WithSummary("A job's status; its details only to the user who queued it (bearer token)");
        return group;
    }

    private static async Task<Results<Accepted<LogQueuedResponse>, ValidationProblem>> Log(
        HttpContext context, StorefrontDbContext db, IJobQueue jobs, CancellationToken cancellationToken)
    {
        // The body is bound here, not by the framework, so this endpoint's tighter limit applies before reading.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = MaxLogBytes;
        if (context.Request.ContentLength > MaxLogBytes)
            throw new BadHttpRequestException($"The body is larger than {MaxLogBytes} bytes.", StatusCodes.Status413PayloadTooLarge);

        JsonElement entry;
        try
        {
            entry = await JsonSerializer.DeserializeAsync(context.Request.Body, JobsJsonContext.Default.JsonElement, cancellationToken);
        }
        catch (JsonException ex)
        {
            throw new BadHttpRequestException("The request body is not valid JSON.", StatusCodes.Status400BadRequest, ex);
        }
        if (entry.ValueKind != JsonValueKind.Object)
            return Problems.Invalid("body", "Must be a JSON object.");

        var job = await jobs.EnqueueAsync(db, LogJobHandler.JobKind, entry, JobsJsonContext.Default.JsonElement, ownerId: null, cancellationToken);
        return TypedResults.Accepted($"/jobs/{job.Id}", new LogQueuedResponse("queued", job.Id));
    }

    /// <summary>
    /// The user who queued a job sees all of it; anyone else gets the 404 of a job that does not exist, so a job id
    /// seen in a log or a URL tells a stranger nothing. A job nobody owns (/log) shows its status alone.
    /// </summary>
    private static async Task<Results<Ok<JobResponse>, Ok<JobStatusResponse>, ProblemHttpResult, ValidationProblem>> GetJob(
        [AsParameters] JobRoute route, HttpContext context, StorefrontDbContext db, CancellationToken cancellationToken)
    {
        var jobId = route.JobId;
        var job = await db.Jobs.Where(j => j.Id == jobId)
            .Select(j => new { j.OwnerId, Response = new JobResponse(j.Id, j.Kind, j.Status, j.Attempts, j.LastError, j.CreatedAt, j.FinishedAt) })
            .FirstOrDefaultAsync(cancellationToken);
        if (job is null || (job.OwnerId is { } owner && owner != CurrentUser.Id(context.User)))
            return Problems.NotFound($"Job {jobId} does not exist.");
        return job.OwnerId is null
            ? TypedResults.Ok(new JobStatusResponse(job.Response.Id, job.Response.Status))
            : TypedResults.Ok(job.Response);
    }
}

/// <summary>The <c>{job_id}</c> of /jobs/{job_id}.</summary>
public sealed record JobRoute([FromRoute(Name = "job_id")] string JobId) : IValidatable
{
    public Dictionary<string, string[]>? Validate() => new ValidationErrors()
        .Check(JobId.Length == 32 && JobId.All(char.IsAsciiHexDigitLower), "job_id", "A job id is 32 lower-case hexadecimal characters.")
        .ToDictionary();
}
