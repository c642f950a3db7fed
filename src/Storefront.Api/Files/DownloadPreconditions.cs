using System.Globalization;
using Microsoft.AspNetCore.Http.Headers;
using Microsoft.Net.Http.Headers;

namespace Storefront.Api.Files;

/// <summary>
/// The two refusals of a download that the framework's file result would send without a body (412 and 416), found
/// first and answered as Problem Details like every other error. Everything that succeeds (200, 206, 304) is left to
/// the file result, which applies the same rules (RFC 9110 §13.2.2 order: If-Match, If-Unmodified-Since, then Range).
/// </summary>
internal static class DownloadPreconditions
{
    public static ProblemHttpResult? Refusal(HttpContext context, long length, EntityTagHeaderValue etag, DateTimeOffset lastModified)
    {
        var headers = context.Request.GetTypedHeaders();
        if (headers.IfMatch is { Count: > 0 } ifMatch)
        {
            if (!ifMatch.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(etag, useStrongComparison: true)))
                return Failed(context);
        }
        else if (headers.IfUnmodifiedSince is { } since && lastModified > since)
        {
            return Failed(context);
        }

        if (!HttpMethods.IsGet(context.Request.Method) || !IsUnsatisfiable(headers, length, etag, lastModified)) return null;
        context.Response.Headers.ContentRange = $"bytes */{length.ToString(CultureInfo.InvariantCulture)}";
        return TypedResults.Problem($"The range asked for is outside the file, which is {length.ToString("N0", CultureInfo.InvariantCulture)} bytes long.",
            statusCode: StatusCodes.Status416RangeNotSatisfiable);
    }

    /// <summary>
    /// Whether the file result may act on the request's Range. It reads a range in any unit as bytes, but a unit the
    /// server does not know is to be ignored (RFC 9110 §14.2): such a request gets the whole file.
    /// </summary>
    public static bool HonoursRange(HttpContext context) =>
        context.Request.GetTypedHeaders().Range is not { } range || IsBytes(range);

    private static bool IsBytes(RangeHeaderValue range) => range.Unit.Equals("bytes", StringComparison.OrdinalIgnoreCase);

    private static ProblemHttpResult Failed(HttpContext context) => TypedResults.Problem(
        "The file has changed since the version named in If-Match or If-Unmodified-Since.",
        statusCode: StatusCodes.Status412PreconditionFailed);

    /// <summary>
    /// One byte range that starts past the end (or an empty suffix) and applies (no If-Range, or one that matches).
    /// Ranges the file result ignores — several ranges, another unit, a malformed header — are not refusals: they get the
    /// whole file, as HTTP allows.
    /// </summary>
    private static bool IsUnsatisfiable(RequestHeaders headers, long length, EntityTagHeaderValue etag, DateTimeOffset lastModified)
    {
        if (headers.Range is not { Ranges.Count: 1 } range || !IsBytes(range)) return false;
        if (headers.IfRange is { } ifRange &&
            !(ifRange.EntityTag?.Compare(etag, useStrongComparison: true) ?? lastModified <= ifRange.LastModified))
            return false;
        var (from, to) = (range.Ranges.First().From, range.Ranges.First().To);
        return from is { } start ? start >= length : to is 0 || length == 0;
    }
}
