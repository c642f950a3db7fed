using System.Reflection;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Storefront.Tests.Products;

namespace Storefront.Tests.Conventions;

/// <summary>A 200 with a JSON body is sent with its length, not chunked: the body is known before a byte of it is sent.</summary>
public sealed class JsonLengthTests(SqliteStorefrontFactory factory) : IClassFixture<SqliteStorefrontFactory>
{
    [Theory]
    [InlineData("/")]
    [InlineData("/items/1")]
    [InlineData("/items?limit=3")]
    public async Task A_json_answer_carries_its_content_length_and_the_same_bytes(string path)
    {
        using var client = factory.CreateClient();
        var expected = await (await client.GetAsync(path, TestContext.Current.CancellationToken)).ShouldBeJsonAsync();
        var raw = await RawHttp.SendAsync(client.BaseAddress!, $"GET {path} HTTP/1.1\r\nHost: {client.BaseAddress!.Authority}\r\nConnection: close\r\n\r\n");

        Assert.Equal(200, raw.Status);
        Assert.Null(raw.Header("Transfer-Encoding"));
        Assert.Equal(raw.Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), raw.Header("Content-Length"));
        Assert.Equal("application/json; charset=utf-8", raw.Header("Content-Type"));
        Assert.Equal(expected.GetRawText(), System.Text.Json.JsonDocument.Parse(Encoding.UTF8.GetString(raw.Body)).RootElement.GetRawText());
    }

    [Fact]
    public async Task The_item_keeps_its_etag_and_head_sends_the_length_without_the_body()
    {
        using var client = factory.CreateClient();
        var head = await RawHttp.SendAsync(client.BaseAddress!, $"HEAD /items/1 HTTP/1.1\r\nHost: {client.BaseAddress!.Authority}\r\nConnection: close\r\n\r\n");
        var get = await RawHttp.SendAsync(client.BaseAddress!, $"GET /items/1 HTTP/1.1\r\nHost: {client.BaseAddress!.Authority}\r\nConnection: close\r\n\r\n");
        Assert.Equal(get.Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), head.Header("Content-Length"));
        Assert.Empty(head.Body);
        Assert.NotNull(get.Header("ETag"));
        Assert.Equal(get.Header("ETag"), head.Header("ETag"));
    }

    [Fact]
    public async Task The_product_page_carries_its_content_length() // Its bytes differ per call (each source's time).
    {
        using var client = factory.CreateClient();
        var raw = await RawHttp.SendAsync(client.BaseAddress!, $"GET /product/7 HTTP/1.1\r\nHost: {client.BaseAddress!.Authority}\r\nConnection: close\r\n\r\n");
        Assert.Equal(200, raw.Status);
        Assert.Null(raw.Header("Transfer-Encoding"));
        Assert.Equal(raw.Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), raw.Header("Content-Length"));
        Assert.Equal(7, JsonSerializer.Deserialize<ProductAnswer>(raw.Body, HttpAssertions.Answers)!.Id);
    }

    /// <summary>The framework's Ok streams and flushes (chunked); a handler that answers it would slip past the theory above.</summary>
    [Fact]
    public void No_endpoint_answers_the_frameworks_chunked_ok()
    {
        var endpoints = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        Assert.NotEmpty(endpoints);
        var chunked = endpoints
            .Where(e => e.Metadata.GetMetadata<MethodInfo>() is { } handler && AnswersFrameworkOk(handler.ReturnType))
            .Select(e => e.RoutePattern.RawText)
            .ToList();
        Assert.Empty(chunked);
        Assert.True(AnswersFrameworkOk(typeof(Task<Results<Ok<string>, ProblemHttpResult>>))); // The check can fail.
    }

    private static bool AnswersFrameworkOk(Type type) =>
        type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Ok<>) || type.GetGenericArguments().Any(AnswersFrameworkOk));
}
