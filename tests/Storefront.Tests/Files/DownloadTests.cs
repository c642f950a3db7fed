using System.Net.Http.Headers;
using Storefront.Api.Files;

namespace Storefront.Tests.Files;

/// <summary>
/// GET /files/{id}: validators (ETag is the SHA-256, Last-Modified the upload's second), ranges, conditional requests
/// and HEAD, with the headers that keep a browser from running what it downloads. The database plays no part here.
/// </summary>
[ServerFree]
public sealed class DownloadTests(SqliteStorefrontFactory factory) : IClassFixture<SqliteStorefrontFactory>, IAsyncLifetime
{
    private static readonly byte[] Content = [.. Enumerable.Range(0, 1000).Select(i => (byte)(i % 251))];

    private HttpClient _client = null!;
    private FileResponse _file = null!;

    public async ValueTask InitializeAsync()
    {
        _client = await factory.CreateAuthenticatedClientAsync();
        _file = await Uploads.UploadAsync(_client, Content, "r\u00E9sum\u00E9 2026.bin");
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task A_download_carries_its_validators_and_the_headers_that_keep_it_inert()
    {
        using var response = await _client.GetAsync($"/files/{_file.Id}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Content, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(1000, response.Content.Headers.ContentLength);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(ETag, response.Headers.ETag?.ToString());
        Assert.Equal(LastModified, response.Content.Headers.LastModified);
        Assert.Equal(["bytes"], response.Headers.AcceptRanges);
        Assert.Equal("private, no-cache", response.Headers.NonValidated["Cache-Control"].ToString());
        Assert.Equal("default-src 'none'; sandbox", response.Headers.GetValues("Content-Security-Policy").Single());
        response.ShouldSayNoSniff();
        var disposition = response.Content.Headers.ContentDisposition!;
        Assert.Equal("attachment", disposition.DispositionType);
        Assert.Equal("r\u00E9sum\u00E9 2026.bin", disposition.FileNameStar);
        // The plain filename parameter, for clients that do not read filename*, is ASCII only.
        Assert.True(disposition.FileName!.All(char.IsAscii), disposition.FileName);
    }

    [Theory]
    [InlineData("bytes=10-19", 10, 19)]
    [InlineData("bytes=0-0", 0, 0)]
    [InlineData("bytes=-100", 900, 999)]    // the last 100 bytes
    [InlineData("bytes=-5000", 0, 999)]     // a suffix longer than the file: all of it
    [InlineData("bytes=990-", 990, 999)]    // open-ended
    [InlineData("bytes=995-2000", 995, 999)] // an end past the file's is the file's end
    [InlineData("Bytes=10-19", 10, 19)]     // units are case-insensitive
    public async Task A_byte_range_is_206_with_its_content_range(string range, int from, int to)
    {
        using var response = await GetAsync(("Range", range));

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal($"bytes {from}-{to}/1000", response.Content.Headers.ContentRange?.ToString());
        Assert.Equal(to - from + 1, response.Content.Headers.ContentLength);
        Assert.Equal(Content[from..(to + 1)], await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("bytes=1000-")]
    [InlineData("bytes=5000-6000")]
    [InlineData("bytes=-0")]
    [InlineData("BYTES=1000-")]
    public async Task A_range_outside_the_file_is_416_problem_naming_the_length(string range)
    {
        using var response = await GetAsync(("Range", range));

        await response.ShouldBeProblemAsync(HttpStatusCode.RequestedRangeNotSatisfiable);
        Assert.Equal("bytes */1000", response.Content.Headers.ContentRange?.ToString());
    }

    [Theory]
    [InlineData("bytes=0-1,5-6")] // several ranges: optional, so the whole file
    [InlineData("bytes=5-3")]     // malformed: ignored
    [InlineData("items=0-1")]     // a unit the server does not know: ignored (RFC 9110 §14.2)
    [InlineData("items=5000-")]
    public async Task A_range_the_server_does_not_serve_gets_the_whole_file(string range)
    {
        using var response = await GetAsync(("Range", range));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Content, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_client_holding_the_current_version_gets_304_by_etag_or_date()
    {
        var etag = ETag;
        var lastModified = Http(LastModified);

        foreach (var (header, value) in new[]
        {
            ("If-None-Match", etag), ("If-None-Match", $"W/{etag}"), ("If-None-Match", $"\"other\", {etag}"), ("If-None-Match", "*"),
            ("If-Modified-Since", lastModified),
        })
        {
            using var response = await GetAsync((header, value));
            Assert.True(response.StatusCode == HttpStatusCode.NotModified, $"{header}: {value} -> {(int)response.StatusCode}");
            Assert.Empty(await response.Content.ReadAsByteArrayAsync());
            Assert.Equal(etag, response.Headers.ETag?.ToString());
        }

        foreach (var (header, value) in new[] { ("If-None-Match", "\"other\""), ("If-Modified-Since", Http(LastModified.AddHours(-1))) })
        {
            using var response = await GetAsync((header, value));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{header}: {value} -> {(int)response.StatusCode}");
            Assert.Equal(Content, await response.Content.ReadAsByteArrayAsync());
        }
    }

    [Fact]
    public async Task If_match_or_if_unmodified_since_that_fails_is_412_problem()
    {
        foreach (var (header, value) in new[] { ("If-Match", "\"other\""), ("If-Match", $"W/{ETag}"), ("If-Unmodified-Since", Http(LastModified.AddHours(-1))) })
        {
            using var response = await GetAsync((header, value), ("Range", "bytes=0-9"));
            await response.ShouldBeProblemAsync(HttpStatusCode.PreconditionFailed);
        }

        foreach (var (header, value) in new[] { ("If-Match", ETag), ("If-Match", "*"), ("If-Unmodified-Since", Http(LastModified)) })
        {
            using var response = await GetAsync((header, value));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{header}: {value} -> {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task A_range_under_an_if_range_that_does_not_match_gets_the_whole_file()
    {
        foreach (var ifRange in new[] { "\"other\"", Http(LastModified.AddHours(-1)) })
        {
            using var whole = await GetAsync(("Range", "bytes=0-9"), ("If-Range", ifRange));
            Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
            Assert.Equal(Content, await whole.Content.ReadAsByteArrayAsync());
        }

        foreach (var ifRange in new[] { ETag, Http(LastModified) })
        {
            using var part = await GetAsync(("Range", "bytes=0-9"), ("If-Range", ifRange));
            Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
            Assert.Equal(Content[..10], await part.Content.ReadAsByteArrayAsync());
        }
        // An unsatisfiable range under an If-Range that does not match is not a 416: the whole file is sent.
        using var notRefused = await GetAsync(("Range", "bytes=5000-"), ("If-Range", "\"other\""));
        Assert.Equal(HttpStatusCode.OK, notRefused.StatusCode);
    }

    [Fact]
    public async Task Head_answers_the_get_headers_without_a_body()
    {
        var authority = _client.BaseAddress!.Authority;

        var head = await RawHttp.SendAsync(_client.BaseAddress!, $"HEAD /files/{_file.Id} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n");
        Assert.Equal(200, head.Status);
        Assert.Equal("1000", head.Header("Content-Length"));
        Assert.Equal(ETag, head.Header("ETag"));
        Assert.StartsWith("attachment", head.Header("Content-Disposition"), StringComparison.Ordinal);
        Assert.Empty(head.Body);

        var range = await RawHttp.SendAsync(_client.BaseAddress!,
            $"HEAD /files/{_file.Id} HTTP/1.1\r\nHost: {authority}\r\nRange: bytes=0-9\r\nConnection: close\r\n\r\n");
        Assert.Equal(206, range.Status);
        Assert.Equal("10", range.Header("Content-Length"));
        Assert.Equal("bytes 0-9/1000", range.Header("Content-Range"));
        Assert.Empty(range.Body);
    }

    [Fact]
    public async Task A_recorded_file_whose_bytes_are_gone_is_404_and_its_owner_can_still_delete_it()
    {
        var lost = await Uploads.UploadAsync(_client, Uploads.Text(100), "lost.txt");
        File.Delete(Path.Combine(Uploads.Folder(factory), lost.Filename));

        await (await _client.GetAsync($"/files/{lost.Id}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        using var deleted = await _client.DeleteAsync($"/files/{lost.Id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
    }

    private async Task<HttpResponseMessage> GetAsync(params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/files/{_file.Id}");
        foreach (var (name, value) in headers) Assert.True(request.Headers.TryAddWithoutValidation(name, value), name);
        return await _client.SendAsync(request);
    }

    private string ETag => $"\"{_file.Sha256}\"";

    /// <summary>The upload's time to the second, as HTTP dates have it.</summary>
    private DateTimeOffset LastModified =>
        DateTimeOffset.FromUnixTimeSeconds(_file.CreatedAt.ToUnixTimeSeconds());

    private static string Http(DateTimeOffset time) => time.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
