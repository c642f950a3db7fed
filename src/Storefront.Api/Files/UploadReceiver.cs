using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;
using Storefront.Api.Data;
using Storefront.Api.Http;

namespace Storefront.Api.Files;

/// <summary>
/// POST /upload: the multipart body is read section by section and the file streamed to the store in 64 KB chunks,
/// hashed on the way, so memory does not grow with the file. The first bytes decide its type; every limit is checked
/// as the bytes arrive, and the first byte past one ends the upload. Until the last byte is written, flushed and
/// recorded, nothing is visible: a refusal, a client that leaves or a full disk leaves nothing behind.
/// </summary>
internal sealed class UploadReceiver : IDisposable
{
    public const string FieldName = "file";

    /// <summary>Room in the request body for the multipart framing around the file: boundaries, part headers, small fields.</summary>
    public const long FramingAllowance = 64 * 1024;

    // Each disk write is a thread-pool hop on Linux: one per 64 KB chunk, not one per 4 KB the reader hands out by
    // default (its buffer size), keeps an upload at a few ms of CPU per MB.
    private const int ChunkBytes = 64 * 1024;
    // RFC 2046: a boundary is 1 to 70 characters.
    private const int MaxBoundaryLength = 70;

    private readonly IFileStore _store;
    private readonly UploadsOptions _settings;
    private readonly FileMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ConcurrencyLimiter _slots;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, int> _perUser = new();

    public UploadReceiver(IFileStore store, IOptions<UploadsOptions> options, FileMetrics metrics, TimeProvider time)
    {
        _store = store;
        _settings = options.Value;
        _metrics = metrics;
        _time = time;
        _slots = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = _settings.MaxConcurrent, QueueLimit = 0 });
    }

    public async Task<Results<Created<FileResponse>, ProblemHttpResult, ValidationProblem>> ReceiveAsync(
        HttpContext context, StorefrontDbContext db, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) ||
            !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            return Refused("type_refused", TypedResults.Problem(
                $"POST /upload takes multipart/form-data with the file in a field named {FieldName}.",
                statusCode: StatusCodes.Status415UnsupportedMediaType));
        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary);
        if (boundary.Length is 0 or > MaxBoundaryLength)
            return Refused("invalid", TypedResults.Problem(
                $"The Content-Type's boundary parameter is missing or longer than {MaxBoundaryLength} characters.",
                statusCode: StatusCodes.Status400BadRequest));

        // Refused before a byte of the body is read when its declared length already says too much.
        if (request.ContentLength > _settings.MaxBytes + FramingAllowance) return TooLarge(context);
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
            bodyLimit.MaxRequestBodySize = _settings.MaxBytes + FramingAllowance;

        var ownerId = CurrentUser.Id(context.User) ?? throw new InvalidOperationException("POST /upload requires authorization.");
        // Free space first: a full disk refuses everyone alike, before anything is held or written.
        if (_store.AvailableBytes() is { } free && free - Math.Max(0, request.ContentLength ?? 0) < _settings.MinFreeBytes)
            return Refused("storage_full", StorageFull());
        if (!TryEnter(ownerId))
        {
            context.Response.Headers.RetryAfter = "5";
            return Refused("busy", Closing(context, TypedResults.Problem(
                $"You have {_settings.MaxConcurrentPerUser} uploads in progress already (Uploads__MaxConcurrentPerUser); let one finish first.",
                statusCode: StatusCodes.Status429TooManyRequests)));
        }
        try
        {
            return await ReceiveOneAsync(context, db, boundary.Value!, ownerId, cancellationToken);
        }
        finally
        {
            Leave(ownerId);
        }
    }

    private async Task<Results<Created<FileResponse>, ProblemHttpResult, ValidationProblem>> ReceiveOneAsync(
        HttpContext context, StorefrontDbContext db, string boundary, int ownerId, CancellationToken cancellationToken)
    {
        var request = context.Request;
        using var slot = _slots.AttemptAcquire();
        if (!slot.IsAcquired)
            return Refused("busy", Problems.TooBusy(context, $"This instance is receiving {_settings.MaxConcurrent} uploads already; try again shortly."));
        using var active = _metrics.Started();
        // A place is held only by a client that sends: Kestrel closes a body slower than this after the grace.
        if (context.Features.Get<Microsoft.AspNetCore.Server.Kestrel.Core.Features.IHttpMinRequestBodyDataRateFeature>() is { } rate)
            rate.MinDataRate = new Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate(_settings.MinBytesPerSecond,
                TimeSpan.FromSeconds(_settings.MinRateGraceSeconds));

        var used = await UsedBytesAsync(db, ownerId, cancellationToken);
        if (used >= _settings.QuotaBytes) return OverQuota(context, used);

        try
        {
            var reader = new MultipartReader(boundary, request.Body, ChunkBytes);
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (section.GetContentDispositionHeader() is not { } disposition ||
                    !HeaderUtilities.RemoveQuotes(disposition.Name).Equals(FieldName, StringComparison.Ordinal))
                {
                    // Another field: skipped (its bytes still count against the body's limit).
                    await section.Body.DrainAsync(cancellationToken);
                    continue;
                }
                return await StoreAsync(context, db, section.Body, ClientName(disposition), ownerId, used, cancellationToken);
            }
        }
        catch (StorageFullException)
        {
            return Refused("storage_full", StorageFull());
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // The body's limit (the file's and the framing allowance) can trip before the file's own check: Kestrel
            // counts a chunked body's bytes as it decodes them, ahead of this reader. It is the same refusal.
            return TooLarge(context);
        }
        catch
        {
            _metrics.Ended("failed");
            throw;
        }
        return Refused("invalid", Problems.Invalid(FieldName, $"A multipart field named {FieldName}, holding the file, is required."));
    }

    private async Task<Results<Created<FileResponse>, ProblemHttpResult, ValidationProblem>> StoreAsync(
        HttpContext context, StorefrontDbContext db, Stream body, string originalName, int ownerId, long used,
        CancellationToken cancellationToken)
    {
        var allowance = Math.Min(_settings.MaxBytes, _settings.QuotaBytes - used);
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            // The first bytes decide the type, before anything is written.
            var read = await body.ReadAtLeastAsync(buffer.AsMemory(0, ContentSniffer.PrefixLength), ContentSniffer.PrefixLength,
                throwOnEndOfStream: false, cancellationToken);
            var type = ContentSniffer.Sniff(buffer.AsSpan(0, read), complete: read < ContentSniffer.PrefixLength);
            if (_settings.AllowedContentTypes.Count > 0 && !_settings.AllowedContentTypes.Contains(type.ContentType))
                return Refused("type_refused", Closing(context, TypedResults.Problem(
                    $"Files of type {type.ContentType} are not accepted here; accepted: {string.Join(", ", _settings.AllowedContentTypes)}.",
                    statusCode: StatusCodes.Status415UnsupportedMediaType)));

            var file = new StoredFile
            {
                Id = StoredFiles.NewId(), OwnerId = ownerId, OriginalName = originalName, ContentType = type.ContentType,
                StoredName = "", Sha256 = "",
            };
            file.StoredName = StoredFiles.NameFor(file.Id, type);
            // Whole chunks, but never waiting for more than the byte past the limit: that byte alone ends the upload.
            int Wanted() => (int)Math.Min(ChunkBytes, allowance - file.Size + 1);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var pending = await _store.CreateAsync(file.StoredName, cancellationToken))
            {
                for (; read > 0; read = await body.ReadAtLeastAsync(buffer.AsMemory(0, ChunkBytes), Wanted(), false, cancellationToken))
                {
                    file.Size += read;
                    // The byte past the limit ends it: the rest of the body is never read (nor drained: Connection: close).
                    if (file.Size > allowance) return file.Size > _settings.MaxBytes ? TooLarge(context) : OverQuota(context, used);
                    hash.AppendData(buffer, 0, read);
                    await pending.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
                await pending.CommitAsync(cancellationToken);
            }
            file.Sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
            file.CreatedAtMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
            if (!await RecordAsync(db, file, cancellationToken)) return OverQuota(context, await UsedBytesAsync(db, ownerId, cancellationToken));

            _metrics.Stored(file.Size);
            return TypedResults.Created($"/files/{file.Id}", file.ToResponse());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Records the stored bytes, checking the quota again now that the size is known (this user's other uploads may have
    /// finished meanwhile). The check and the insert are one transaction that the user's other uploads wait for (a
    /// per-user advisory lock on PostgreSQL, from any instance; SQLite's one writer), so uploads finishing together
    /// cannot all fit in the same room. False, and the bytes removed, when it no longer fits; removed on any failure too.
    /// </summary>
    private async Task<bool> RecordAsync(StorefrontDbContext db, StoredFile file, CancellationToken cancellationToken)
    {
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            if (db.Database.IsNpgsql())
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({QuotaLockSpace}, {file.OwnerId})", cancellationToken);
            else // An immediate write turns SQLite's deferred transaction into the writer's before the sum is read.
                await db.Database.ExecuteSqlRawAsync("UPDATE files SET size = size WHERE 0", cancellationToken);
            if (await UsedBytesAsync(db, file.OwnerId, cancellationToken) + file.Size > _settings.QuotaBytes)
            {
                await transaction.RollbackAsync(CancellationToken.None);
                await _store.DeleteAsync(file.StoredName, CancellationToken.None);
                return false;
            }
            db.Files.Add(file);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return true;
        }
        catch
        {
            await _store.DeleteAsync(file.StoredName, CancellationToken.None);
            throw;
        }
    }

    // The first key of the two-key advisory lock: the quota's locks stay apart from any other feature's.
    private const int QuotaLockSpace = 0x5155;

    private bool TryEnter(int ownerId)
    {
        if (_perUser.AddOrUpdate(ownerId, 1, (_, n) => n + 1) <= _settings.MaxConcurrentPerUser) return true;
        Leave(ownerId);
        return false;
    }

    private void Leave(int ownerId)
    {
        if (_perUser.AddOrUpdate(ownerId, 0, (_, n) => n - 1) <= 0) _perUser.TryRemove(new KeyValuePair<int, int>(ownerId, 0));
    }

    private static ProblemHttpResult StorageFull() => TypedResults.Problem(
        "The server has no room to store this file now; nothing was kept. Try again later.",
        statusCode: StatusCodes.Status507InsufficientStorage);

    private static Task<long> UsedBytesAsync(StorefrontDbContext db, int ownerId, CancellationToken cancellationToken) =>
        db.Files.Where(f => f.OwnerId == ownerId).SumAsync(f => f.Size, cancellationToken);

    /// <summary>The name the client gave (RFC 5987's filename* first), sanitised: kept as metadata only.</summary>
    private static string ClientName(ContentDispositionHeaderValue disposition) => FileNames.Sanitize(
        disposition.FileNameStar.HasValue ? disposition.FileNameStar.Value : HeaderUtilities.RemoveQuotes(disposition.FileName).Value);

    private ProblemHttpResult TooLarge(HttpContext context) => Refused("too_large", Closing(context, TypedResults.Problem(
        $"The file is larger than this server accepts ({_settings.MaxBytes.ToString("N0", CultureInfo.InvariantCulture)} bytes); nothing was kept.",
        statusCode: StatusCodes.Status413PayloadTooLarge)));

    private ProblemHttpResult OverQuota(HttpContext context, long used) => Refused("over_quota", Closing(context, TypedResults.Problem(
        $"This file would take your stored files past your quota of {_settings.QuotaBytes.ToString("N0", CultureInfo.InvariantCulture)} bytes " +
        $"({used.ToString("N0", CultureInfo.InvariantCulture)} in use); nothing was kept. Delete files to make room.",
        statusCode: StatusCodes.Status413PayloadTooLarge)));

    /// <summary>The rest of a refused body is not worth receiving: the connection ends after the answer instead of draining it.</summary>
    private static ProblemHttpResult Closing(HttpContext context, ProblemHttpResult problem)
    {
        context.Response.Headers.Connection = "close";
        return problem;
    }

    private T Refused<T>(string outcome, T result)
    {
        _metrics.Ended(outcome);
        return result;
    }

    public void Dispose() => _slots.Dispose();
}
