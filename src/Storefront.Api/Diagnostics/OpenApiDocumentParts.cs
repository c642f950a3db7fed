using Microsoft.OpenApi;

namespace Storefront.Api.Diagnostics;

/// <summary>The document-wide parts of the OpenAPI document: info, the one server, the bearer scheme, the problem schema, tags.</summary>
internal static class OpenApiDocumentParts
{
    // A tag without a description here still appears; ApiDescriptionTests fails until it has one.
    private static readonly Dictionary<string, string> TagDescriptions = new(StringComparer.Ordinal)
    {
        ["Lessons"] = "The concurrency lessons: waits that hold no thread, concurrent calls to configured sources.",
        ["Products"] = "The product page: pricing, inventory and recommendations fetched concurrently, each under its own deadline.",
        ["Catalog"] = "Items: public reads (cursor pages, search, sort), writes with a bearer token and optional If-Match.",
        ["Orders"] = "Orders reserved atomically against stock (409 when it cannot be served), Idempotency-Key retries, admin stock.",
        ["Caching"] = "Catalog summaries served cache-aside and response-cached (X-Cache: HIT, MISS or BYPASS).",
        ["Accounts"] = "Registration, OAuth2 password-flow login (POST /token gives the bearer token) and users.",
        ["Jobs"] = "Durable background jobs: a 202 means the job is stored.",
        ["Email"] = "Email sent by a durable job.",
        ["Files"] = "Streamed uploads stored under server-chosen names; downloads with ranges and validators.",
        ["Inference"] = "CPU-bound work (sentiment, QR codes) on bounded worker pools: 503 with Retry-After when full.",
        ["WebSockets"] = "The echo socket and the live stock feed; these paths answer a WebSocket upgrade.",
        ["Inventory"] = "Stock changes from the inventory system, signed with HMAC-SHA256.",
        ["Operations"] = "Health, the OpenAPI document and the live dashboard.",
    };

    public static void Describe(OpenApiDocument document)
    {
        document.Info.Title = "Storefront";
        document.Info.Version = "1.0.0";
        document.Info.Description = "High-throughput async storefront API. JSON uses snake_case; every error is RFC 9457 " +
            "Problem Details (application/problem+json) with a trace_id. Get a bearer token from POST /token.";
        document.Info.Contact = new OpenApiContact { Name = "Storefront maintainers" };
        document.Info.License = new OpenApiLicense { Name = "MIT", Identifier = "MIT" };
        // Relative: /docs calls the service that served it, and clients set their own base address.
        document.Servers = [new OpenApiServer { Url = "/", Description = "The service that serves this document" }];

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[OpenApiOperations.BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "The access_token from POST /token, sent as Authorization: Bearer <token>.",
        };
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[OpenApiOperations.ProblemSchema] = ProblemDetails();

        document.Tags = new HashSet<OpenApiTag>((document.Tags ?? new HashSet<OpenApiTag>())
            .Select(t => new OpenApiTag { Name = t.Name, Description = t.Name is null ? null : TagDescriptions.GetValueOrDefault(t.Name) }));
    }

    private static OpenApiSchema ProblemDetails() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "RFC 9457 Problem Details. Further members may appear (an upstream's `source`).",
        Required = new HashSet<string> { "type", "title", "status", "detail", "trace_id" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "A URI naming the kind of problem." },
            ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "What went wrong, in words for a person." },
            ["trace_id"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The W3C trace id of the request, for finding it in logs and traces." },
            ["source"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The upstream source that failed (product page and lessons)." },
        },
    };
}
