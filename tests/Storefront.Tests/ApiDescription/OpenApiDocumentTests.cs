using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Storefront.Tests.ApiDescription;

/// <summary>
/// The served OpenAPI document: the committed docs/openapi.json (generators read that file), exact about auth and
/// errors, and clean under Redocly's recommended rules.
/// </summary>
public sealed partial class OpenApiDocumentTests(SqliteStorefrontFactory factory) : IClassFixture<SqliteStorefrontFactory>
{
    /// <summary>scripts/generate-client sets it: the test then writes the served document instead of comparing.</summary>
    public const string WriteSetting = "STOREFRONT_WRITE_OPENAPI";

    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch"];

    [Fact]
    public async Task The_served_document_is_the_committed_docs_openapi_json()
    {
        var served = await ServedTextAsync();
        var committedPath = Path.Combine(Repository.Root(), "docs", "openapi.json");
        if (Environment.GetEnvironmentVariable(WriteSetting) == "1")
        {
            await File.WriteAllTextAsync(committedPath, served);
            return;
        }
        var committed = (await File.ReadAllTextAsync(committedPath)).ReplaceLineEndings("\n");
        Assert.True(committed == served,
            "docs/openapi.json is not what the service serves: run scripts/generate-client and commit docs/openapi.json and clients/.");
    }

    [Fact]
    public async Task Bearer_is_declared_on_exactly_the_endpoints_that_require_authorization()
    {
        var paths = (await ServedAsync()).GetProperty("paths");
        var checkedOperations = 0;
        foreach (var endpoint in factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [];
            var path = "/" + RouteParameter().Replace(endpoint.RoutePattern.RawText?.TrimStart('/') ?? "", "{$1}");
            foreach (var method in methods.Where(m => m != "HEAD").Select(m => m.ToLowerInvariant()))
            {
                if (!paths.TryGetProperty(path, out var item) || !item.TryGetProperty(method, out var operation)) continue;
                var required = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Count > 0
                    && endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null;
                var schemes = operation.GetProperty("security").EnumerateArray().Select(r => string.Join(",", r.EnumerateObject().Select(s => s.Name))).ToList();
                var said = $"{method} {path}: security [{string.Join("|", schemes)}]";
                if (required)
                {
                    Assert.True(schemes.SequenceEqual(["bearer"]), $"{said}, but a token is required");
                    Assert.True(operation.GetProperty("responses").TryGetProperty("401", out _), $"{said} without a 401");
                }
                else
                {
                    // Public ([]), or a token that is used when sent ([{}, {bearer}]).
                    Assert.True(schemes.Count == 0 || schemes.SequenceEqual(["", "bearer"]), $"{said}, but no token is required");
                }
                checkedOperations++;
            }
        }
        Assert.True(checkedOperations >= 25, $"only {checkedOperations} operations matched an endpoint");
        // The bearer scheme itself, for /docs' Authorize button and for generators.
        var scheme = (await ServedAsync()).GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
    }

    [Fact]
    public async Task Every_operation_has_a_unique_operation_id_and_every_tag_a_description()
    {
        var document = await ServedAsync();
        var ids = Operations(document).Select(o => o.Operation.GetProperty("operationId").GetString()).ToList();
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.Contains("getItemsByItemId", ids);
        Assert.Contains("getHealthReady", ids);
        foreach (var tag in document.GetProperty("tags").EnumerateArray())
            Assert.False(string.IsNullOrWhiteSpace(tag.TryGetProperty("description", out var d) ? d.GetString() : null),
                $"tag {tag.GetProperty("name")} has no description (Diagnostics/OpenApiDocumentParts)");
        Assert.True(document.GetProperty("info").TryGetProperty("license", out _));
        Assert.True(document.GetProperty("info").TryGetProperty("contact", out _));
    }

    [Fact]
    public async Task Every_error_is_problem_details_and_created_or_accepted_say_where()
    {
        var document = await ServedAsync();
        foreach (var (path, method, operation) in Operations(document))
        {
            foreach (var response in operation.GetProperty("responses").EnumerateObject())
            {
                if (response.Name[0] is '4' or '5' && !path.StartsWith("/health/", StringComparison.Ordinal))
                    Assert.Equal(["application/problem+json"], response.Value.GetProperty("content").EnumerateObject().Select(c => c.Name));
                if (response.Name is "429" || (response.Name is "503" && !path.StartsWith("/health/", StringComparison.Ordinal)))
                    Assert.True(response.Value.GetProperty("headers").TryGetProperty("Retry-After", out _), $"{method} {path} {response.Name}");
            }
        }
        var paths = document.GetProperty("paths");
        Assert.True(paths.GetProperty("/items").GetProperty("post").GetProperty("responses").GetProperty("201").GetProperty("headers").TryGetProperty("Location", out _));
        Assert.True(paths.GetProperty("/send-email").GetProperty("post").GetProperty("responses").GetProperty("202").GetProperty("headers").TryGetProperty("Location", out _));
        Assert.True(paths.GetProperty("/register").GetProperty("post").GetProperty("responses").TryGetProperty("409", out _));
        Assert.Equal("#/components/schemas/PricingBody", document.GetProperty("components").GetProperty("schemas").GetProperty("ProductResponse")
            .GetProperty("properties").GetProperty("price").GetProperty("oneOf")[1].GetProperty("$ref").GetString());
    }

    [Fact]
    public async Task Redocly_finds_no_error_and_no_warning_in_the_served_document()
    {
        var redocly = TestServers.Redocly;
        var file = Path.Combine(Path.GetTempPath(), $"storefront-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, await ServedTextAsync());
        try
        {
            var root = Repository.Root();
            var (exitCode, output, errors) = await Tool.RunAsync(redocly,
                ["lint", file, "--config", Path.Combine(root, "redocly.yaml"), "--format", "json"], root, TimeSpan.FromMinutes(2));
            var report = JsonDocument.Parse(output[output.IndexOf('{', StringComparison.Ordinal)..]).RootElement;
            var totals = report.GetProperty("totals");
            var problems = string.Join("\n", report.GetProperty("problems").EnumerateArray()
                .Select(p => $"{p.GetProperty("severity")} {p.GetProperty("ruleId")}: {p.GetProperty("message")}"));
            Assert.True(totals.GetProperty("errors").GetInt32() == 0 && totals.GetProperty("warnings").GetInt32() == 0,
                $"redocly (exit {exitCode}):\n{problems}\n{errors}");
            Assert.Equal(0, exitCode);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private async Task<string> ServedTextAsync()
    {
        using var client = factory.CreateClient();
        var text = await (await client.GetAsync("/openapi/v1.json")).EnsureSuccessStatusCode().Content.ReadAsStringAsync();
        return text.ReplaceLineEndings("\n").TrimEnd('\n') + "\n";
    }

    private async Task<JsonElement> ServedAsync() => JsonDocument.Parse(await ServedTextAsync()).RootElement;

    private static IEnumerable<(string Path, string Method, JsonElement Operation)> Operations(JsonElement document) =>
        from path in document.GetProperty("paths").EnumerateObject()
        from method in path.Value.EnumerateObject()
        where Methods.Contains(method.Name)
        select (path.Name, method.Name, method.Value);

    [GeneratedRegex(@"\{\*{0,2}([^}:=?]+)[^}]*\}")]
    private static partial Regex RouteParameter();
}
