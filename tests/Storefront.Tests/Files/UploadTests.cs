using System.Text;
using Storefront.Api.Files;

namespace Storefront.Tests.Files;

/// <summary>POST /upload on both stores: what is stored and answered, what is refused, and the type the bytes decide.</summary>
public abstract class UploadTests(UploadsDatabase database)
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    [Fact]
    public async Task A_multi_megabyte_file_is_stored_with_its_size_and_sha256_and_downloads_byte_for_byte()
    {
        await using var host = database.NewHost();
        using var client = await host.CreateAuthenticatedClientAsync();
        var content = Uploads.Binary(5 * 1024 * 1024 + 123);

        var file = await Uploads.UploadAsync(client, content, "big.bin");

        Assert.Equal(content.Length, file.Size);
        Assert.Equal(Uploads.Sha256(content), file.Sha256);
        Assert.Equal("application/octet-stream", file.ContentType);
        Assert.Equal("big.bin", file.OriginalFilename);
        Assert.Equal(file.Id + ".bin", file.Filename);
        Assert.Equal(TimeSpan.Zero, file.CreatedAt.Offset);
        Assert.Equal([file.Filename], Uploads.Entries(host));
        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(Uploads.Folder(host), file.Filename)));

        using var download = await client.GetAsync($"/files/{file.Id}");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(content.Length, download.Content.Headers.ContentLength);
        Assert.Equal($"\"{Uploads.Sha256(content)}\"", download.Headers.ETag?.ToString());
        Assert.Equal(content, await download.Content.ReadAsByteArrayAsync());
        var listed = Assert.Single((await Uploads.ListAsync(client)).Items);
        Assert.Equal(file.ToString(), listed.ToString());
    }

    [Fact]
    public async Task An_empty_file_is_stored_as_zero_bytes()
    {
        await using var host = database.NewHost();
        using var client = await host.CreateAuthenticatedClientAsync();

        var file = await Uploads.UploadAsync(client, [], "empty.txt");

        Assert.Equal(0, file.Size);
        Assert.Equal(Uploads.Sha256([]), file.Sha256);
        Assert.Equal("application/octet-stream", file.ContentType);
        using var download = await client.GetAsync($"/files/{file.Id}");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Empty(await download.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task The_bytes_decide_the_type_and_extension_whatever_the_client_declares()
    {
        await using var host = database.NewHost();
        using var client = await host.CreateAuthenticatedClientAsync();
        var png = PngSignature.Concat(Uploads.Binary(2000)).ToArray();

        var image = await Upload(client, png, "notes.txt", "text/plain");
        Assert.Equal("image/png", image.ContentType);
        Assert.Equal(image.Id + ".png", image.Filename);
        Assert.Equal("notes.txt", image.OriginalFilename);

        var text = await Upload(client, Encoding.UTF8.GetBytes("<svg onload=alert(1)>caf\u00E9</svg>"), "logo.png", "image/png");
        Assert.Equal("text/plain", text.ContentType);
        Assert.Equal(text.Id + ".txt", text.Filename);

        using var download = await client.GetAsync($"/files/{image.Id}");
        Assert.Equal("image/png", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal(new[] { image.Filename, text.Filename }.Order(StringComparer.Ordinal), Uploads.Entries(host));
    }

    [Fact]
    public async Task Only_the_allowed_types_are_kept_and_a_refused_file_leaves_nothing()
    {
        await using var host = database.NewHost();
        host.With("Uploads:AllowedContentTypes:0", "image/png");
        using var client = await host.CreateAuthenticatedClientAsync();

        // Declared as a PNG, named like one: the bytes are text.
        using (var refused = await Uploads.PostAsync(client, Uploads.Body(Uploads.FilePart("filename=\"photo.png\"", "image/png"), Uploads.Text(100_000))))
        {
            var problem = await refused.ShouldBeProblemAsync(HttpStatusCode.UnsupportedMediaType);
            Assert.Contains("text/plain", problem.Detail, StringComparison.Ordinal);
            // The rest of a refused body is not read: the connection ends after the answer.
            Assert.True(refused.Headers.ConnectionClose, "a refused upload closes its connection");
        }
        await Uploads.AssertNothingKeptAsync(host, client);

        var image = await Upload(client, PngSignature.Concat(Uploads.Binary(100)).ToArray(), "photo.png", "image/png");
        Assert.Equal([image.Filename], Uploads.Entries(host));
    }

    [Fact]
    public async Task An_upload_without_a_token_is_401_and_stores_nothing()
    {
        await using var host = database.NewHost();
        using var anonymous = host.CreateClient();

        using var response = await Uploads.SendAsync(anonymous, Uploads.Text(100));

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Empty(Uploads.Entries(host));
        using var listing = await anonymous.GetAsync("/files");
        await listing.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_body_that_is_not_multipart_is_415_and_a_bad_boundary_or_missing_file_field_is_400()
    {
        await using var host = database.NewHost();
        using var client = await host.CreateAuthenticatedClientAsync();

        using (var json = await client.PostJsonTextAsync("/upload", """{"file": "aGVsbG8="}"""))
            await json.ShouldBeProblemAsync(HttpStatusCode.UnsupportedMediaType);
        using (var raw = await client.PostAsync("/upload", new ByteArrayContent(Uploads.Text(100))))
            await raw.ShouldBeProblemAsync(HttpStatusCode.UnsupportedMediaType);

        foreach (var contentType in new[] { "multipart/form-data", $"multipart/form-data; boundary={new string('b', 71)}" })
        {
            var content = new ByteArrayContent(Uploads.Body(Uploads.FilePart("filename=\"a.txt\""), Uploads.Text(100)));
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            using var response = await client.PostAsync("/upload", content);
            await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        }

        // Other fields are skipped; without a field named file there is nothing to store.
        var other = Uploads.Body("Content-Disposition: form-data; name=\"attachment\"; filename=\"a.txt\"", Uploads.Text(100));
        using (var noFile = await Uploads.PostAsync(client, other))
            await noFile.ShouldBeValidationProblemAsync("file");

        await Uploads.AssertNothingKeptAsync(host, client);
    }

    [Fact]
    public async Task A_multipart_body_cut_short_before_its_closing_boundary_is_400_and_leaves_nothing()
    {
        await using var host = database.NewHost();
        using var client = await host.CreateAuthenticatedClientAsync();
        // Long enough that the server has started writing the file when it finds the body ends without its boundary.
        var truncated = Uploads.Body(Uploads.FilePart("filename=\"cut.bin\""), Uploads.Binary(300_000), closed: false);

        using var response = await Uploads.PostAsync(client, truncated);

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("multipart", problem.Detail, StringComparison.OrdinalIgnoreCase);
        await Uploads.AssertNothingKeptAsync(host, client);
    }

    private static async Task<FileResponse> Upload(HttpClient client, byte[] content, string filename, string declaredType)
    {
        using var response = await Uploads.PostAsync(client, Uploads.Body(Uploads.FilePart($"filename=\"{filename}\"", declaredType), content));
        return await response.ShouldBeJsonAsync<FileResponse>(HttpStatusCode.Created);
    }
}

[ServerFree]
public sealed class SqliteUploadTests(SqliteUploadsDatabase database) : UploadTests(database), IClassFixture<SqliteUploadsDatabase>;

public sealed class PostgresUploadTests(PostgresUploadsDatabase database) : UploadTests(database), IClassFixture<PostgresUploadsDatabase>;
