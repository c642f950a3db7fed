using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.OpenApi;
using Storefront.Api.Http;

namespace Storefront.Api.Diagnostics;

/// <summary>
/// What every operation in the OpenAPI document gets from the endpoint's own metadata, so the document cannot drift
/// from the code and new endpoints are described without boilerplate: a stable operationId, the bearer requirement
/// exactly where authorization is required, and the Problem Details answers that the shared machinery can give
/// (binding, auth, limits, rate limits, deadlines). Answers only a handler knows (a 409, an upstream's 502) are declared
/// on the endpoint with <c>ProducesProblem</c>; they are given the same schema here.
/// </summary>
internal static partial class OpenApiOperations
{
    public const string BearerScheme = "bearer";
    public const string ProblemSchema = "ProblemDetails";
    private const string ProblemJson = "application/problem+json";

    public static Task Describe(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var description = context.Description;
        var metadata = description.ActionDescriptor.EndpointMetadata;
        var document = context.Document;
        operation.OperationId ??= OperationId(description.HttpMethod ?? "GET", description.RelativePath ?? "");
        operation.Responses ??= [];

        var authorize = metadata.OfType<IAuthorizeData>().ToList();
        var required = authorize.Count > 0 && !metadata.OfType<IAllowAnonymous>().Any();
        var bearer = new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] };
        // An empty list says "public" explicitly; an empty requirement next to the bearer one says "a token is optional".
        operation.Security = required ? [bearer]
            : metadata.OfType<OptionalBearer>().Any() ? [new OpenApiSecurityRequirement(), bearer]
            : [];

        var hasBody = operation.RequestBody is not null;
        var parameters = operation.Parameters ?? [];
        if (hasBody || parameters.Count > 0) AddProblem(operation, document, StatusCodes.Status400BadRequest,
            "A malformed or invalid request: `errors` names each invalid field.");
        if (required) AddProblem(operation, document, StatusCodes.Status401Unauthorized, "No bearer token, or one that is not valid.");
        if (required && authorize.Any(a => a.Policy is not null || a.Roles is not null))
            AddProblem(operation, document, StatusCodes.Status403Forbidden, "The token is valid but its user may not do this.");
        if (parameters.Any(p => p.In == ParameterLocation.Path))
            AddProblem(operation, document, StatusCodes.Status404NotFound, "Nothing has that id (or it is not yours).");
        if (hasBody)
        {
            AddProblem(operation, document, StatusCodes.Status413PayloadTooLarge, "The body is larger than this endpoint accepts.");
            AddProblem(operation, document, StatusCodes.Status415UnsupportedMediaType, "The body is not of a media type this endpoint reads.");
        }
        if (metadata.OfType<EnableRateLimitingAttribute>().Any())
            AddProblem(operation, document, StatusCodes.Status429TooManyRequests, "Too many requests from this client: retry after `Retry-After` seconds.");
        if (metadata.OfType<RequestTimeoutAttribute>().Any() || metadata.OfType<RequestTimeoutPolicy>().Any())
        {
            // The deadline covers chains of I/O, and a database that cannot answer right now is a 503.
            AddProblem(operation, document, StatusCodes.Status503ServiceUnavailable, "A dependency cannot answer right now: retry after `Retry-After` seconds.");
            AddProblem(operation, document, StatusCodes.Status504GatewayTimeout, "The request took longer than the server allows.");
        }

        foreach (var omitted in metadata.OfType<OmittedResponse>()) operation.Responses.Remove(Code(omitted.StatusCode));
        // In status order, so the committed document reads (and diffs) the same whatever order the metadata came in.
        var sorted = new OpenApiResponses();
        foreach (var (status, response) in operation.Responses.OrderBy(r => r.Key, StringComparer.Ordinal)) sorted[status] = response;
        operation.Responses = sorted;
        foreach (var (status, response) in operation.Responses)
        {
            if (response is not OpenApiResponse concrete) continue;
            if (IsProblemStatus(status)) UseProblemSchema(concrete, document, status);
            foreach (var header in metadata.OfType<ResponseHeader>().Where(h => status == Code(h.StatusCode)))
                AddHeader(concrete, header.Name, header.Description, format: null);
            if (status is "429" or "503")
                AddHeader(concrete, "Retry-After", "Seconds to wait before trying again.", format: null, integer: true);
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// The HTTP method and the path's words in camelCase, a parameter as "By" + its name: <c>GET /items/{item_id}</c> is
    /// <c>getItemsByItemId</c>. Unique by construction, and unchanged as long as the route is.
    /// </summary>
    public static string OperationId(string method, string relativePath)
    {
        var id = new StringBuilder(method.ToLowerInvariant());
        var words = 0;
        foreach (var segment in relativePath.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var parameter = RouteParameter().Match(segment);
            if (parameter.Success) id.Append("By");
            foreach (var word in Words().Matches(parameter.Success ? parameter.Groups[1].Value : segment).Select(m => m.Value))
            {
                id.Append(char.ToUpperInvariant(word[0])).Append(word.AsSpan(1));
                words++;
            }
        }
        return words == 0 ? id.Append("Root").ToString() : id.ToString();
    }

    private static void AddProblem(OpenApiOperation operation, OpenApiDocument? document, int status, string description)
    {
        var code = Code(status);
        if (operation.Responses!.ContainsKey(code)) return;
        var response = new OpenApiResponse { Description = description };
        UseProblemSchema(response, document, code);
        operation.Responses[code] = response;
    }

    // The framework's validation schema stays where a handler returns ValidationProblem; every other problem is the one schema.
    private static void UseProblemSchema(OpenApiResponse response, OpenApiDocument? document, string status)
    {
        var existing = response.Content is { } content && content.TryGetValue(ProblemJson, out var media) ? media.Schema : null;
        if (existing is OpenApiSchemaReference { Reference.Id: not ProblemSchema } && status == "400") return;
        response.Content = new Dictionary<string, OpenApiMediaType>
        {
            [ProblemJson] = new() { Schema = new OpenApiSchemaReference(ProblemSchema, document) },
        };
        if (string.IsNullOrEmpty(response.Description))
            response.Description = ReasonPhrases.GetReasonPhrase(int.Parse(status, CultureInfo.InvariantCulture));
    }

    private static void AddHeader(OpenApiResponse response, string name, string description, string? format, bool integer = false)
    {
        response.Headers ??= new Dictionary<string, IOpenApiHeader>();
        response.Headers[name] = new OpenApiHeader
        {
            Description = description,
            Required = true,
            Schema = new OpenApiSchema { Type = integer ? JsonSchemaType.Integer : JsonSchemaType.String, Format = format },
        };
    }

    private static bool IsProblemStatus(string status) =>
        status.Length == 3 && status[0] is '4' or '5';

    private static string Code(int status) => status.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"\A\{\*{0,2}([^}:=?]+)[^}]*\}\z")]
    private static partial Regex RouteParameter();

    [GeneratedRegex("[A-Za-z0-9]+")]
    private static partial Regex Words();
}
