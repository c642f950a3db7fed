using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Metadata;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Storefront.Api.Http;

/// <summary>
/// 200 answers with a JSON body carry a Content-Length. The framework's <c>TypedResults.Ok</c> streams its JSON into the
/// response and flushes it, so Kestrel has to frame it as chunked although the whole body, a few hundred bytes, is known
/// a moment later; proxies and clients then see no length, and every answer pays the chunk framing. Handlers answer
/// <see cref="JsonOk{TValue}"/> (<c>JsonOk.Of(value)</c>) instead: the value is serialised first (with the endpoint's own JSON contract, so the
/// bytes are the same) and written once with its length.
/// </summary>
/// <remarks>
/// A typed result rather than an endpoint filter that rewrites the framework's Ok: a filter puts the whole filter
/// pipeline (an invocation context, the handler awaited through <c>ValueTask&lt;object&gt;</c>, the filter's own async
/// step) in front of every JSON endpoint.
/// </remarks>
public static class JsonOk
{
    /// <summary>200 with <paramref name="value"/> as JSON and its Content-Length.</summary>
    public static JsonOk<TValue> Of<TValue>(TValue value) => new(value);
}

/// <summary>The 200 answer <see cref="JsonOk"/> describes; documented in OpenAPI as the framework's Ok is.</summary>
public sealed class JsonOk<TValue> : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<TValue>,
    IContentTypeHttpResult
{
    private const string JsonContentType = "application/json; charset=utf-8";

    internal JsonOk(TValue value) => Value = value;

    public TValue Value { get; }

    object? IValueHttpResult.Value => Value;

    public int StatusCode => StatusCodes.Status200OK;

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    string IContentTypeHttpResult.ContentType => JsonContentType;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var options = httpContext.RequestServices.GetRequiredService<IOptions<HttpJsonOptions>>().Value.SerializerOptions;
        var body = JsonSerializer.SerializeToUtf8Bytes(Value, (JsonTypeInfo<TValue>)options.GetTypeInfo(typeof(TValue)));
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = JsonContentType;
        response.ContentLength = body.Length;
        var written = response.BodyWriter.WriteAsync(body, httpContext.RequestAborted);
        return written.IsCompletedSuccessfully ? Task.CompletedTask : written.AsTask();
    }

    static void IEndpointMetadataProvider.PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(TValue), ["application/json"]));
}
