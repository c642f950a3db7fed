using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Storefront.Tests.Conventions;

/// <summary>
/// HEAD is answered wherever GET is (RFC 9110 §9.3.2): the GET's status and headers, no body. The routes come from the
/// running service's endpoint data source, so a route added later is checked without touching this test.
/// </summary>
[ServerFree]
public sealed class HeadRequestTests(SqliteStorefrontFactory factory) : IClassFixture<SqliteStorefrontFactory>
{
    // Route values that reach a real answer; any other parameter gets "1".
    private static readonly Dictionary<string, string> RouteValues = new()
    {
        ["documentName"] = "v1",
        ["id"] = "7",
        ["item_id"] = "1",
    };

    // Query strings for routes that need one to answer quickly or at all.
    private static readonly Dictionary<string, string> Queries = new()
    {
        ["/slow"] = "?seconds=0",
        ["/qr"] = "?data=head",
    };

    [Fact]
    public async Task Every_get_route_answers_head_with_the_get_status_and_headers_and_no_body()
    {
        using var client = await factory.CreateAuthenticatedClientAsync();
        var paths = GetRoutes(factory.Services);
        Assert.Contains("/", paths);
        Assert.Contains("/items/1", paths);

        var complaints = (await Task.WhenAll(paths.Select(path => CompareAsync(client, path + Queries.GetValueOrDefault(path, "")))))
            .SelectMany(c => c)
            .ToList();
        Assert.True(complaints.Count == 0, string.Join("\n", complaints));
    }

    [Fact]
    public async Task A_405_on_a_get_route_lists_head_as_allowed()
    {
        using var client = factory.CreateClient();
        var response = await client.DeleteAsync("/");
        await response.ShouldBeProblemAsync(HttpStatusCode.MethodNotAllowed);
        Assert.Contains(HttpMethods.Head, response.Content.Headers.Allow);
        Assert.Contains(HttpMethods.Get, response.Content.Headers.Allow);
    }

    [Fact]
    public async Task The_openapi_document_lists_each_read_once_without_head()
    {
        using var client = factory.CreateClient();
        var document = await (await client.GetAsync("/openapi/v1.json")).ShouldBeJsonAsync();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
            Assert.False(path.Value.TryGetProperty("head", out _), $"{path.Name} lists HEAD");
        Assert.True(document.GetProperty("paths").GetProperty("/").TryGetProperty("get", out _));
    }

    private static async Task<List<string>> CompareAsync(HttpClient client, string url)
    {
        // Routes that call an upstream can answer 504 to one request and 200 to the next on a loaded machine: a pair
        // whose statuses differ by a server error is asked again (a route that always differs still fails).
        HttpResponseMessage get;
        byte[] getBody;
        RawResponse head;
        var attempts = 0;
        while (true)
        {
            get = await client.GetAsync(url);
            getBody = await get.Content.ReadAsByteArrayAsync();
            head = await RawHttp.SendAsync(client.BaseAddress!,
                $"HEAD {url} HTTP/1.1\r\nHost: {client.BaseAddress!.Authority}\r\nAuthorization: {client.DefaultRequestHeaders.Authorization}\r\nConnection: close\r\n\r\n");
            var transient = head.Status != (int)get.StatusCode && (head.Status >= 500 || (int)get.StatusCode >= 500);
            if (!transient || ++attempts == 3) break;
            get.Dispose();
        }
        using var _ = get;

        var complaints = new List<string>();
        void Check(bool ok, string complaint)
        {
            if (!ok) complaints.Add($"HEAD {url}: {complaint}");
        }

        Check(head.Status == (int)get.StatusCode, $"{head.Status}, but GET answers {(int)get.StatusCode}");
        Check(head.Body.Length == 0, $"sent {head.Body.Length} body bytes");
        Check(MediaType(head.Header("Content-Type")) == get.Content.Headers.ContentType?.MediaType,
            $"Content-Type '{head.Header("Content-Type")}', GET's is '{get.Content.Headers.ContentType}'");
        // RFC 9110 §8.6: a Content-Length on HEAD is the length GET would send; leaving it out is allowed. Some answers
        // change from call to call (the product page's timings): their length is compared only when two GETs agree.
        if (head.Header("Content-Length") is { } length)
        {
            using var again = await client.GetAsync(url);
            var stable = (await again.Content.ReadAsByteArrayAsync()).AsSpan().SequenceEqual(getBody);
            Check(!stable || long.Parse(length, System.Globalization.CultureInfo.InvariantCulture) == getBody.Length,
                $"Content-Length {length}, GET sends {getBody.Length} bytes");
        }
        Check(head.Header("X-Process-Time") is not null, "no X-Process-Time");
        Check(head.Header("X-Content-Type-Options") == "nosniff", "no X-Content-Type-Options: nosniff");
        return complaints;
    }

    private static string? MediaType(string? contentType) =>
        contentType is null ? null : MediaTypeHeaderValue.Parse(contentType).MediaType;

    /// <summary>Every route that answers GET (an endpoint without method metadata answers every method), as a URL.</summary>
    private static List<string> GetRoutes(IServiceProvider services) =>
        services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods is not { } methods || methods.Contains(HttpMethods.Get))
            .Select(e => Url(e.RoutePattern))
            .Distinct()
            .ToList();

    private static string Url(RoutePattern pattern) =>
        "/" + string.Join("/", pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternSeparatorPart separator => separator.Content,
            RoutePatternParameterPart parameter => RouteValues.GetValueOrDefault(parameter.Name, "1"),
            _ => throw new InvalidOperationException($"Unexpected route part in {pattern.RawText}"),
        }))));
}
