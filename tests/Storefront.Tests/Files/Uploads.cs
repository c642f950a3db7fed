using System.Security.Cryptography;
using System.Text;
using Storefront.Api.Files;

namespace Storefront.Tests.Files;

/// <summary>Uploads as tests send them, and what a host's uploads folder holds.</summary>
internal static class Uploads
{
    public const string Boundary = "storefront-test-boundary-7f3a";
    public const string ContentType = $"multipart/form-data; boundary={Boundary}";

    /// <summary>The folder the service stores files in: <c>Storage:Path/uploads</c>.</summary>
    public static string Folder(SqliteStorefrontFactory host) => Path.Combine(host.StoragePath, "uploads");

    /// <summary>Everything under the uploads folder, subfolders included, relative to it: stored files and temporaries alike.</summary>
    public static string[] Entries(SqliteStorefrontFactory host)
    {
        var folder = Folder(host);
        return Directory.Exists(folder)
            ? [.. Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(folder, p)).Order(StringComparer.Ordinal)]
            : [];
    }

    public static bool IsTemporary(string entry) => Path.GetFileName(entry).StartsWith(".upload-", StringComparison.Ordinal);

    /// <summary>
    /// A multipart body byte for byte, its part headers written as UTF-8 exactly as given: quotes, NUL, lone CR or LF
    /// and non-ASCII reach the server as they are, which MultipartFormDataContent would escape or refuse.
    /// Without <paramref name="closed"/> the closing boundary is missing, as in a body cut short.
    /// </summary>
    public static byte[] Body(string partHeaders, ReadOnlySpan<byte> content, bool closed = true)
    {
        using var body = new MemoryStream();
        body.Write(Encoding.UTF8.GetBytes($"--{Boundary}\r\n{partHeaders}\r\n\r\n"));
        body.Write(content);
        if (closed) body.Write(Encoding.UTF8.GetBytes($"\r\n--{Boundary}--\r\n"));
        return body.ToArray();
    }

    /// <summary>The headers of the part named <c>file</c>, with these Content-Disposition parameters after its name.</summary>
    public static string FilePart(string filenameParameters, string contentType = "application/octet-stream") =>
        $"Content-Disposition: form-data; name=\"file\"; {filenameParameters}\r\nContent-Type: {contentType}";

    /// <summary>The request line and headers of POST /upload with the client's token, for a raw socket; <paramref name="framing"/> says how the body is delimited.</summary>
    public static string Head(HttpClient client, string framing) =>
        $"POST /upload HTTP/1.1\r\nHost: {client.BaseAddress!.Authority}\r\nAuthorization: {client.DefaultRequestHeaders.Authorization}\r\n" +
        $"Content-Type: {ContentType}\r\n{framing}";

    public static ByteArrayContent Content(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
        return content;
    }

    public static Task<HttpResponseMessage> PostAsync(HttpClient client, byte[] body) => client.PostAsync("/upload", Content(body));

    /// <summary>An upload as HttpClient's form content sends it; asserts the 201 and its Location, returns the file.</summary>
    public static async Task<FileResponse> UploadAsync(HttpClient client, byte[] content, string filename = "data.bin")
    {
        using var response = await SendAsync(client, content, filename);
        var file = await response.ShouldBeJsonAsync<FileResponse>(HttpStatusCode.Created);
        Assert.Equal($"/files/{file.Id}", response.Headers.Location?.OriginalString);
        return file;
    }

    public static Task<HttpResponseMessage> SendAsync(HttpClient client, byte[] content, string filename = "data.bin")
    {
        var form = new MultipartFormDataContent { { new ByteArrayContent(content), "file", filename } };
        return client.PostAsync("/upload", form);
    }

    /// <summary>The caller's files as GET /files lists them (one page of up to 100).</summary>
    public static async Task<FileListResponse> ListAsync(HttpClient client, string query = "?limit=100") =>
        await (await client.GetAsync($"/files{query}")).ShouldBeJsonAsync<FileListResponse>();

    public static async Task<int> TotalAsync(HttpClient client) => (await ListAsync(client)).Total;

    /// <summary>Nothing of a refused or abandoned upload stays: no file or temporary in the folder, none listed to the client.</summary>
    public static async Task AssertNothingKeptAsync(SqliteStorefrontFactory host, HttpClient client)
    {
        Assert.Empty(Entries(host));
        Assert.Equal(0, await TotalAsync(client));
    }

    /// <summary>Random bytes after a NUL, so that they are never text and never start with a known signature: octet-stream.</summary>
    public static byte[] Binary(int length)
    {
        var bytes = RandomNumberGenerator.GetBytes(length);
        if (length > 0) bytes[0] = 0;
        return bytes;
    }

    public static byte[] Text(int length) => Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("storefront ", length / 11 + 1))[..length]);

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
