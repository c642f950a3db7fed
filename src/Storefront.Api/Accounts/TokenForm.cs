using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Storefront.Api.Accounts;

/// <summary>
/// /token's body for the OpenAPI document: the OAuth2 password flow's form, both fields required, urlencoded first (what
/// RFC 6749 names; generators take the first form they support). The generator would list one schema per bound field.
/// </summary>
internal static class TokenForm
{
    public static Task Describe(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var form = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string> { "username", "password" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["username"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["password"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "password" },
            },
        };
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/x-www-form-urlencoded"] = new() { Schema = form },
                ["multipart/form-data"] = new() { Schema = form },
            },
        };
        return Task.CompletedTask;
    }
}
