namespace Storefront.Api.Diagnostics;

/// <summary>The OpenAPI document at /openapi/v1.json and the interactive page at /docs, as the seed framework has.</summary>
public static class ApiDocs
{
    public static WebApplicationBuilder AddApiDocs(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Storefront";
            document.Info.Description = "High-throughput async storefront API. Errors are RFC 9457 Problem Details.";
            return Task.CompletedTask;
        }));
        return builder;
    }

    public static WebApplication MapApiDocs(this WebApplication app)
    {
        app.MapOpenApi().WithTags("Operations");
        app.UseSwaggerUI(o =>
        {
            o.RoutePrefix = "docs";
            o.SwaggerEndpoint("/openapi/v1.json", "Storefront v1");
            o.DocumentTitle = "Storefront API";
        });
        return app;
    }
}
