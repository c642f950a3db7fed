using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;
using Storefront.Api.Data;
using Storefront.Api.Http;

namespace Storefront.Api.Files;

/// <summary>The upload lesson made safe (docs/seeds.md): streamed uploads under the server's names, downloads with ranges.</summary>
public static partial class FileEndpoints
{
    public const string UploadDeadline = "upload-deadline";

    public static RouteGroupBuilder MapFiles(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Files");
        // No Accepts metadata: routing would answer other media types with a bare 415 before the receiver can say what it takes.
        group.MapPost("/upload", Upload).RequireAuthorization().WithRequestTimeout(UploadDeadline)
            .WithLocation(StatusCodes.Status201Created, "The stored file")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .AddOpenApiOperationTransformer(UploadForm.Describe)
            .WithSummary("Upload a file (multipart field file), streamed to storage under a name the server chooses");
        // Public by id: an id is 128 random bits, as unguessable as a token. Listing and deleting need the owner's token.
        group.MapGet("/files/{file_id}", Download).WithSummary("Download a file (Range, If-None-Match and If-Modified-Since honoured)")
            // The stored type is the file's own; an id that is not one of ours is a 404, never a 400.
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream")
            .Produces(StatusCodes.Status206PartialContent, contentType: "application/octet-stream")
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status416RangeNotSatisfiable)
            .WithoutResponse(StatusCodes.Status400BadRequest);
        group.MapGet("/files", List).RequireAuthorization().WithValidation().WithSummary("The caller's files, oldest first");
        group.MapDelete("/files/{file_id}", Delete).RequireAuthorization().WithRequestDeadline().WithSummary("Delete one of the caller's files");
        return group;
    }

    private static Task<Results<Created<FileResponse>, ProblemHttpResult, ValidationProblem>> Upload(
        HttpContext context, UploadReceiver uploads, StorefrontDbContext db, CancellationToken cancellationToken) =>
        uploads.ReceiveAsync(context, db, cancellationToken);

    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> Download(
        [FromRoute(Name = "file_id")] string fileId, HttpContext context, StorefrontDbContext db, IFileStore store,
        ILogger<UploadReceiver> logger, CancellationToken cancellationToken)
    {
        if (!StoredFiles.IsValidId(fileId)) return Missing();
        var file = await db.Files.FirstOrDefaultAsync(f => f.Id == fileId, cancellationToken);
        if (file is null) return Missing();
        var content = await store.OpenReadAsync(file.StoredName, cancellationToken);
        if (content is null)
        {
            LogBytesMissing(logger, file.Id, file.StoredName);
            return Missing();
        }

        // HTTP dates have whole seconds: a fractional Last-Modified would never match If-Modified-Since.
        var lastModified = DateTimeOffset.FromUnixTimeSeconds(file.CreatedAtMs / 1000);
        var etag = new EntityTagHeaderValue($"\"{file.Sha256}\"");
        if (DownloadPreconditions.Refusal(context, content.Length, etag, lastModified) is { } refusal)
        {
            await content.DisposeAsync();
            return refusal;
        }

        var headers = context.Response.Headers;
        // Revalidated on every use (the ETag makes that a 304), and kept by no shared cache.
        headers.CacheControl = "private, no-cache";
        // Should a browser open it anyway, it runs nothing and loads nothing.
        headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
        // The download name goes out as attachment; filename="ascii"; filename*=UTF-8''... (RFC 6266).
        return TypedResults.Stream(content, file.ContentType, file.OriginalName, lastModified,
            etag, enableRangeProcessing: DownloadPreconditions.HonoursRange(context));
    }

    private static async Task<Results<JsonOk<FileListResponse>, ValidationProblem>> List(
        [AsParameters] PageQuery query, HttpContext context, StorefrontDbContext db, CancellationToken cancellationToken)
    {
        var ownerId = CurrentUser.Id(context.User);
        var mine = db.Files.Where(f => f.OwnerId == ownerId);
        var total = await mine.CountAsync(cancellationToken);
        var files = await mine.OrderBy(f => f.CreatedAtMs).ThenBy(f => f.Id).Skip(query.Skip).Take(query.Limit).ToListAsync(cancellationToken);
        return JsonOk.Of(new FileListResponse([.. files.Select(f => f.ToResponse())], total, query.Skip, query.Limit));
    }

    /// <summary>Anyone but the owner gets the 404 of a file that does not exist, so ids cannot be probed.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        [FromRoute(Name = "file_id")] string fileId, HttpContext context, StorefrontDbContext db, IFileStore store,
        ILogger<UploadReceiver> logger, CancellationToken cancellationToken)
    {
        if (!StoredFiles.IsValidId(fileId)) return Missing();
        var ownerId = CurrentUser.Id(context.User);
        var storedName = await db.Files.Where(f => f.Id == fileId && f.OwnerId == ownerId).Select(f => f.StoredName)
            .FirstOrDefaultAsync(cancellationToken);
        if (storedName is null) return Missing();
        // The row first: from here the file is not served; then its bytes. Two deletes at once: one 204, one 404.
        if (await db.Files.Where(f => f.Id == fileId && f.OwnerId == ownerId).ExecuteDeleteAsync(cancellationToken) == 0) return Missing();
        try
        {
            await store.DeleteAsync(storedName, CancellationToken.None);
        }
        catch (IOException e)
        {
            LogBytesKept(logger, e, fileId, storedName);
        }
        return TypedResults.NoContent();
    }

    // An id is never echoed: it is the client's input and a 404 says all there is to say.
    private static ProblemHttpResult Missing() => Problems.NotFound("There is no such file (or it has been deleted).");

    [LoggerMessage(Level = LogLevel.Error, Message = "File {FileId} is recorded but its bytes ({StoredName}) are not in the store")]
    private static partial void LogBytesMissing(ILogger logger, string fileId, string storedName);

    [LoggerMessage(Level = LogLevel.Warning, Message = "File {FileId} was deleted but its bytes ({StoredName}) could not be removed")]
    private static partial void LogBytesKept(ILogger logger, Exception exception, string fileId, string storedName);
}
