using System.Text.RegularExpressions;

namespace Storefront.Tests.Conventions;

/// <summary>
/// What the framework and the server answer on their own: unknown OpenAPI documents, hosts outside AllowedHosts, and the
/// requests Kestrel refuses before any middleware runs.
/// </summary>
[ServerFree]
public sealed class FrameworkAnswerTests(SqliteStorefrontFactory factory) : ClientTests<SqliteStorefrontFactory>(factory), IClassFixture<SqliteStorefrontFactory>
{
    [Theory]
    [InlineData("/openapi/nope.json")]
    [InlineData("/openapi/v2.json")]
    public async Task Unknown_openapi_document_is_a_404_problem(string path)
    {
        var problem = await (await Client.GetAsync(path)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        Assert.Contains("/openapi/v1.json", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task By_default_any_host_is_answered()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Host = "anything.example";
        await (await Client.SendAsync(request)).ShouldBeJsonAsync();
    }

    [Fact]
    public async Task With_allowed_hosts_set_another_host_is_a_400_problem()
    {
        await using var restricted = new SqliteStorefrontFactory();
        restricted.With("AllowedHosts", "shop.example.com;*.shop.example.com");
        using var client = restricted.CreateClient();

        foreach (var allowed in new[] { "shop.example.com", "shop.example.com:8000", "eu.shop.example.com" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/");
            request.Headers.Host = allowed;
            await (await client.SendAsync(request)).ShouldBeJsonAsync();
        }

        using var refused = new HttpRequestMessage(HttpMethod.Get, "/");
        refused.Headers.Host = "attacker.example";
        var problem = await (await client.SendAsync(refused)).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        Assert.DoesNotContain("attacker", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_allowed_host_that_can_never_match_stops_startup_naming_it()
    {
        string[] neverMatch = ["https://shop.example.com", "shop.example.com:8000", "shop.example.com/"];
        using var misconfigured = new SqliteStorefrontFactory();
        misconfigured.With("AllowedHosts", string.Join(';', ["shop.example.com", "[::1]", .. neverMatch]));
        var error = Assert.ThrowsAny<Exception>(() => misconfigured.CreateClient()).ToString();
        foreach (var entry in neverMatch)
            Assert.Contains($"AllowedHosts: '{entry}'", error, StringComparison.Ordinal);
        Assert.DoesNotContain("'shop.example.com'", error, StringComparison.Ordinal);
        Assert.DoesNotContain("'[::1]'", error, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, int> Refused => new()
    {
        { "a malformed request line", "GARBAGE\r\n\r\n", 400 },
        { "a header without a colon", "GET / HTTP/1.1\r\nHost: x\r\nBroken header\r\n\r\n", 400 },
        { "an HTTP/1.1 request without Host", "GET / HTTP/1.1\r\n\r\n", 400 },
        { "an unknown HTTP version", "GET / HTTP/9.9\r\nHost: x\r\n\r\n", 505 },
        { "a request line over 8 KiB", $"GET /{new string('a', 9000)} HTTP/1.1\r\nHost: x\r\n\r\n", 414 },
        { "headers over Limits__MaxRequestHeadersTotalBytes", $"GET / HTTP/1.1\r\nHost: x\r\nX-Padding: {new string('x', 40_000)}\r\n\r\n", 431 },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task What_kestrel_refuses_before_any_middleware_gets_no_body_and_no_process_time_as_docs_api_md_says(
        string what, string request, int status)
    {
        var response = await RawHttp.SendAsync(Client.BaseAddress!, request);
        Assert.True(response.Status == status, $"{what}: {response.Head}");
        Assert.Empty(response.Body);
        Assert.Equal("0", response.Header("Content-Length"));
        Assert.Null(response.Header("X-Process-Time"));

        // The contract says so, for exactly these statuses.
        var apiMd = await File.ReadAllTextAsync(Path.Combine(Repository.Root(), "docs", "api.md"));
        var section = Regex.Match(apiMd, @"^#+ [^\n]*before any middleware[^\n]*\n.*?(?=^#)", RegexOptions.Multiline | RegexOptions.Singleline);
        Assert.True(section.Success, "docs/api.md has no section on what Kestrel refuses before any middleware runs");
        Assert.Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture), section.Value, StringComparison.Ordinal);
        Assert.Contains("no body", section.Value, StringComparison.Ordinal);
        Assert.Contains("no `X-Process-Time`", section.Value, StringComparison.Ordinal);
    }
}
