using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Storefront.Api.Http;

/// <summary>
/// 200 answers with a JSON body carry a Content-Length. The framework streams a typed result's JSON into the response
/// and flushes it, so Kestrel has to frame it as chunked although the whole body, a few hundred bytes, is known a
/// moment later; proxies and clients then see no length, and every answer pays the chunk framing. Here the value is
/// serialised first (with the endpoint's own JSON contract, so the bytes are the same) and written once with its length.
/// Applied where the handler can answer <see cref="Ok{TValue}"/>; other endpoints keep their delegate untouched.
/// </summary>
public static class SizedJson
{
    private const string JsonContentType = "application/json; charset=utf-8";

    public static TBuilder WriteJsonWithLength<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilterFactory(static (factory, next) =>
        {
            if (!AnswersOk(factory.MethodInfo.ReturnType)) return next;
            var options = factory.ApplicationServices.GetRequiredService<IOptions<HttpJsonOptions>>().Value.SerializerOptions;
            return async context =>
            {
                var result = await next(context);
                return result is not null && Sized(result, options) is { } sized ? sized : result;
            };
        });

    private static LengthedJson? Sized(object result, JsonSerializerOptions options)
    {
        while (result is INestedHttpResult nested) result = nested.Result;
        var type = result.GetType();
        if (result is not IValueHttpResult { Value: { } value } || !type.IsGenericType || type.GetGenericTypeDefinition() != typeof(Ok<>)) return null;
        return new LengthedJson(JsonSerializer.SerializeToUtf8Bytes(value, options.GetTypeInfo(type.GetGenericArguments()[0])));
    }

    /// <summary>The declared return type, through Task/ValueTask and Results&lt;…&gt;, can be an <see cref="Ok{TValue}"/>.</summary>
    private static bool AnswersOk(Type type)
    {
        if (!type.IsGenericType) return false;
        var definition = type.GetGenericTypeDefinition();
        if (definition == typeof(Ok<>)) return true;
        if (definition == typeof(Task<>) || definition == typeof(ValueTask<>) || typeof(INestedHttpResult).IsAssignableFrom(type))
            return type.GetGenericArguments().Any(AnswersOk);
        return false;
    }

    private sealed class LengthedJson(byte[] body) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = JsonContentType;
            response.ContentLength = body.Length;
            return response.BodyWriter.WriteAsync(body, httpContext.RequestAborted).AsTask();
        }
    }
}
