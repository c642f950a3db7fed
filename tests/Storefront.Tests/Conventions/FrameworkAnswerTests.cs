using System.Net;
using Storefront.Tests.Infrastructure;

namespace Storefront.Tests.Conventions;

/// <summary>
/// What the framework and the server answer on their own: unknown OpenAPI documents, hosts outside AllowedHosts, and the
/// requests Kestrel refuses before any middleware runs.
/// </summary>
public sealed class FrameworkAnswerTests(SqliteStorefrontFactory factory) : IClassFixture<SqliteStorefrontFactory>, IDisposable
{
    private readonly HttpClient _client = factory.CreateClient();

    public void Dispose() => _client.Dispose();

    [Theory]
    [InlineData("/openapi/nope.json")]
    [InlineData("/openapi/v2.json")]
    public async Task Unknown_openapi_document_is_a_404_problem(string path)
    {
        var problem = await (await _client.GetAsync(path)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        Assert.Contains("/openapi/v1.json", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
