using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.OpenApi;

namespace Storefront.Api.Diagnostics;

public static class HealthEndpoints
{
    /// <summary>Liveness answers as long as the process serves HTTP; readiness runs the dependency checks.</summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync })
            .WithTags("Operations");
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = WriteAsync })
            .WithTags("Operations");
        return app;
    }

    /// <summary>
    /// Health-check endpoints carry no handler signature the OpenAPI generator could read, so they are described here,
    /// beside the writer that produces their bodies.
    /// </summary>
    public static void Describe(OpenApiDocument document)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas["HealthReport"] = Report();
        document.Paths["/health/live"] = Path("getHealthLive", "Liveness: 200 while the process serves HTTP (no dependency is checked)");
        document.Paths["/health/ready"] = Path("getHealthReady",
            "Readiness: database, cache and job worker; 200 when healthy or degraded, 503 when a check is unhealthy");
    }

    private static OpenApiPathItem Path(string operationId, string summary)
    {
        var report = new Dictionary<string, OpenApiMediaType>
        {
            ["application/json"] = new() { Schema = new OpenApiSchemaReference("HealthReport") },
        };
        return new OpenApiPathItem
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Get] = new()
                {
                    OperationId = operationId,
                    Summary = summary,
                    Tags = new HashSet<OpenApiTagReference> { new("Operations") },
                    Security = [],
                    Responses = new OpenApiResponses
                    {
                        ["200"] = new OpenApiResponse { Description = "Healthy or degraded", Content = report },
                        ["503"] = new OpenApiResponse { Description = "At least one check is unhealthy", Content = report },
                    },
                },
            },
        };
    }

    private static OpenApiSchema Report()
    {
        var status = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [Json("healthy"), Json("degraded"), Json("unhealthy")] };
        var milliseconds = new OpenApiSchema { Type = JsonSchemaType.Number, Format = "double" };
        return new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string> { "status", "duration_ms", "checks" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["status"] = status,
                ["duration_ms"] = milliseconds,
                ["checks"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Description = "One entry per check that ran, by name (database, cache, jobs, ...).",
                    AdditionalProperties = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object,
                        Required = new HashSet<string> { "status", "duration_ms", "description" },
                        Properties = new Dictionary<string, IOpenApiSchema>
                        {
                            ["status"] = status,
                            ["duration_ms"] = milliseconds,
                            ["description"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
                        },
                    },
                },
            },
        };
    }

    private static System.Text.Json.Nodes.JsonValue Json(string value) => System.Text.Json.Nodes.JsonValue.Create(value);

    // {"status":"healthy","checks":{"database":{"status":"healthy","duration_ms":1.2,"description":null}}}
    private static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("status", Name(report.Status));
        json.WriteNumber("duration_ms", Math.Round(report.TotalDuration.TotalMilliseconds, 1));
        json.WriteStartObject("checks");
        foreach (var (name, entry) in report.Entries)
        {
            json.WriteStartObject(name);
            json.WriteString("status", Name(entry.Status));
            json.WriteNumber("duration_ms", Math.Round(entry.Duration.TotalMilliseconds, 1));
            json.WriteString("description", entry.Description);
            json.WriteEndObject();
        }
        json.WriteEndObject();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }

    private static string Name(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };
}
