namespace Storefront.Tests.Conventions;

/// <summary>What every endpoint owes a client: Problem Details, limits, the timing header, the docs.</summary>
[ServerFree]
public sealed class ConventionTests(SqliteStorefrontFactory factory) : ClientTests<SqliteStorefrontFactory>(factory), IClassFixture<SqliteStorefrontFactory>
{
    [Fact]
    public async Task Unknown_route_is_a_404_problem()
    {
        var problem = await (await Client.GetAsync("/no/such/route")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        Assert.Contains("/no/such/route", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_method_is_a_405_problem()
    {
        await (await Client.DeleteAsync("/")).ShouldBeProblemAsync(HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task Body_over_the_limit_is_a_413_problem()
    {
        var huge = $$"""{"username": "big", "email": "big@example.com", "password": "{{new string('x', 2 << 20)}}"}""";
        await (await Client.PostJsonTextAsync("/register", huge)).ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Oversized_headers_are_refused()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("X-Padding", new string('x', 64 * 1024));
        var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Liveness_and_readiness_report_healthy_with_the_database_checked()
    {
        await (await Client.GetAsync("/health/live")).ShouldBeJsonAsync();
        var ready = await (await Client.GetAsync("/health/ready")).ShouldBeJsonAsync<HealthAnswer>();
        Assert.Equal(("healthy", "healthy"), (ready.Status, ready.Checks["database"].Status));
    }

    [Fact]
    public async Task OpenApi_document_lists_every_endpoint_and_docs_page_serves()
    {
        var document = await (await Client.GetAsync("/openapi/v1.json")).ShouldBeJsonAsync();
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();
        foreach (var expected in new[] { "/", "/slow", "/multi", "/weather", "/multi-fetch", "/product/{id}", "/items", "/items/{item_id}",
                     "/cached-data", "/expensive-endpoint", "/register", "/token", "/users/me", "/users", "/send-email", "/log", "/jobs/{job_id}" })
            Assert.Contains(expected, paths);

        var docs = await Client.GetAsync("/docs/index.html");
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        Assert.Contains("swagger-ui", await docs.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Docs_api_md_describes_every_path_in_the_openapi_document()
    {
        var document = await (await Client.GetAsync("/openapi/v1.json")).ShouldBeJsonAsync();
        var apiMd = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "docs", "api.md"));
        foreach (var path in document.GetProperty("paths").EnumerateObject().Select(p => p.Name))
            Assert.True(apiMd.Contains($"`{path}", StringComparison.Ordinal) || apiMd.Contains($" {path}`", StringComparison.Ordinal),
                $"docs/api.md does not mention {path}");
    }

    [Fact]
    public async Task Json_uses_snake_case()
    {
        var body = await (await Client.GetAsync("/product/7")).ShouldBeJsonAsync();
        Assert.True(body.GetProperty("stock").TryGetProperty("in_stock", out _), body.ToString());
        // A JSON boolean, whichever: reco's 250 ms deadline can pass on a loaded machine, making it false.
        Assert.True(body.GetProperty("complete").ValueKind is JsonValueKind.True or JsonValueKind.False, body.ToString());
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Storefront.slnx")))
            directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("Storefront.slnx not found above the test binaries.");
    }
}
