using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.WebUtilities;

namespace Storefront.Api.Http;

/// <summary>A request the server could not read: its status, what to tell the client, and the fields at fault.</summary>
internal sealed record ClientFailure(int Status, string Detail, Dictionary<string, string[]>? Errors = null);

/// <summary>
/// The exceptions that mean "the client sent something unreadable", from the framework's binding and from the
/// libraries under it: form limits (InvalidDataException), JSON, text decoding, Kestrel's chunked-body parser (an
/// IOException, not a BadHttpRequestException, when a chunk size overflows), MultipartReader (an IOException for a
/// body cut short). Each becomes a 400, 408, 413 or 415 with a sentence of our own; the exceptions' messages are never sent, since they quote C# names and client input.
/// </summary>
internal static class RequestFailures
{
    private const string KestrelCore = "Microsoft.AspNetCore.Server.Kestrel.Core";
    // MultipartReader's streams throw a bare IOException when a multipart body ends before its closing boundary.
    private const string WebUtilitiesAssembly = "Microsoft.AspNetCore.WebUtilities";

    public const string FormProblem =
        "The form body is malformed, contains NUL characters, or exceeds the form limits (1,024 fields, 2,048-character names).";

    /// <summary>What to answer for <paramref name="exception"/>, or null when it is not the client's doing (a 500).</summary>
    public static ClientFailure? Describe(HttpContext context, Exception exception) => exception switch
    {
        BadHttpRequestException bad when BindingFailure.TryDescribe(bad.Message) is { } field =>
            new(StatusCodes.Status400BadRequest, "One or more fields are invalid.", new() { [field.Name] = [field.Message] }),
        BadHttpRequestException bad when BindingFailure.IsMissingBody(bad.Message) =>
            new(StatusCodes.Status400BadRequest, $"A request body is required{Accepted(context, " ({0})")}."),
        BadHttpRequestException { InnerException: { } inner } when Describe(context, inner) is { } cause => cause,
        BadHttpRequestException bad => ForStatus(context, bad.StatusCode),
        JsonException json => new(StatusCodes.Status400BadRequest, DescribeJson(json)),
        InvalidDataException => new(StatusCodes.Status400BadRequest, FormProblem),
        DecoderFallbackException => new(StatusCodes.Status400BadRequest, "The request body is not valid text in the charset it declares."),
        // Encoding.GetEncoding refuses UTF-7 (all its aliases) with this rather than ArgumentException: a multipart
        // part's filename* (RFC 5987) names it, in /token's form or an upload.
        NotSupportedException { TargetSite.DeclaringType: { } thrower } when thrower.Namespace == "System.Text" =>
            new(StatusCodes.Status400BadRequest, "A part of the request names a charset that is not supported: use UTF-8."),
        IOException { Source: KestrelCore } => new(StatusCodes.Status400BadRequest,
            "The request body could not be read: its chunked encoding is malformed or it ended early."),
        IOException { Source: WebUtilitiesAssembly } => new(StatusCodes.Status400BadRequest,
            "The multipart body is malformed or ended before its closing boundary."),
        // The framework's JSON reader throws this, unwrapped, for a charset it does not know.
        InvalidOperationException when UnknownCharset(context.Request) is { } charset => new(StatusCodes.Status415UnsupportedMediaType,
            $"The charset {BindingFailure.Quote(charset)} is not supported: send UTF-8."),
        _ => null,
    };

    private static ClientFailure ForStatus(HttpContext context, int status) => new(status, status switch
    {
        StatusCodes.Status413PayloadTooLarge => context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize is { } limit
            ? $"The request body is larger than this endpoint accepts ({limit} bytes)."
            : "The request body is too large.",
        StatusCodes.Status415UnsupportedMediaType => $"This endpoint does not accept that Content-Type{Accepted(context, "; send {0}")}.",
        StatusCodes.Status408RequestTimeout => "The request body arrived too slowly.",
        StatusCodes.Status411LengthRequired => "A Content-Length or a chunked body is required.",
        StatusCodes.Status400BadRequest => "The request could not be read: it is malformed, truncated or missing a part.",
        _ => ReasonPhrases.GetReasonPhrase(status),
    });

    private static string Accepted(HttpContext context, string format) =>
        context.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes is { Count: > 0 } types
            ? string.Format(System.Globalization.CultureInfo.InvariantCulture, format, string.Join(" or ", types))
            : "";

    /// <summary>Where the JSON went wrong; a path longer than the echo limit is cut (member names are client input).</summary>
    public static string DescribeJson(JsonException json) =>
        json.Path is { Length: > 0 } path
            ? $"The request body is not valid JSON for this endpoint (at {Cut(path)}, line {json.LineNumber + 1}, byte {json.BytePositionInLine})."
            : "The request body is not valid JSON.";

    private static string Cut(string path) => path.Length <= BindingFailure.MaxEcho ? path : string.Concat(path.AsSpan(0, BindingFailure.MaxEcho), "…");

    private static string? UnknownCharset(HttpRequest request) =>
        Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(request.ContentType, out var type) &&
        type.Charset.HasValue && type.Encoding is null
            ? type.Charset.Value
            : null;
}
