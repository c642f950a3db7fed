using Microsoft.OpenApi;
using Storefront.Api.Http;

namespace Storefront.Api.Diagnostics;

/// <summary>
/// The OpenAPI document at /openapi/v1.json and the interactive page at /docs, as FastAPI serves them. The document
/// is committed as docs/openapi.json (scripts/generate-client rewrites it, a test compares it with what is served), so it
/// must not depend on the request: no server URL from the request's host, nothing environment-specific in it.
/// </summary>
public static class ApiDocs
{
    /// <summary>The one document; its name is the file name in /openapi/{name}.json.</summary>
    public const string DocumentName = "v1";

    private const string DocsPath = "/docs";

    public static WebApplicationBuilder AddApiDocs(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(DocumentName, o =>
        {
            o.AddOperationTransformer(OpenApiOperations.Describe);
            o.AddDocumentTransformer((document, _, _) =>
            {
                OpenApiDocumentParts.Describe(document);
                HealthEndpoints.Describe(document);
                // HEAD is answered wherever GET is (HeadRequests); listing it would show every read twice.
                foreach (var path in document.Paths.Values) path.Operations?.Remove(HttpMethod.Head);
                return Task.CompletedTask;
            });
        });
        return builder;
    }

    /// <summary>Swagger UI at /docs: middleware serving its own files, not a route.</summary>
    public static WebApplication UseApiDocs(this WebApplication app)
    {
        // Only for its own paths: the UI's middleware matches every request's path with a regular expression, a share
        // of GET /'s CPU in profiles (docs/benchmarks-notes.md), for a page a person opens now and then.
        app.UseWhen(context => context.Request.Path.StartsWithSegments(DocsPath, StringComparison.OrdinalIgnoreCase),
            docs => docs.UseNoFraming().UseSwaggerUI(o =>
            {
                o.RoutePrefix = DocsPath[1..];
                o.SwaggerEndpoint($"/openapi/{DocumentName}.json", "Storefront v1");
                o.DocumentTitle = "Storefront API";
                // No EnablePersistAuthorization: it keeps the pasted token in localStorage, where any script of the
                // origin reads it long after the tab is closed. The token lives in the page; a reload asks for it again.
            }));
        return app;
    }

    public static IEndpointRouteBuilder MapApiDocs(this IEndpointRouteBuilder app)
    {
        // The framework answers an unknown document name itself, with a text/plain 404: every error here is Problem Details.
        app.MapOpenApi().WithTags("Operations").AddEndpointFilter(OnlyKnownDocuments);
        return app;
    }

    // The requested name is not echoed back: it is the client's input, and would tell them nothing.
    private static ValueTask<object?> OnlyKnownDocuments(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        context.HttpContext.Request.RouteValues["documentName"] is string name && !name.Equals(DocumentName, StringComparison.OrdinalIgnoreCase)
            ? ValueTask.FromResult<object?>(Problems.NotFound($"There is no such OpenAPI document: the document is /openapi/{DocumentName}.json."))
            : next(context);
}
