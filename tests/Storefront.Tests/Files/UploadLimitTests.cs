namespace Storefront.Tests.Files;

/// <summary>
/// Every way an upload can end early — a limit, a client that leaves, a full disk — leaves nothing behind: no stored
/// file, no temporary, no row. Run on both stores, since "no row" and the quota's sum are the database's.
/// </summary>
public abstract class UploadLimitTests(UploadsDatabase database)
{
    [Fact]
    public async Task A_file_past_the_size_limit_in_a_body_of_unknown_length_is_413_at_that_byte_and_nothing_is_kept()
    {
        await using var host = database.NewHost();
        host.With("Uploads:MaxBytes", "10000");
        using var client = await host.CreateAuthenticatedClientAsync();
        var body = Uploads.Body(Uploads.FilePart("filename=\"big.bin\""), Uploads.Binary(200_000));

        // Chunked, so there is no Content-Length to refuse it by, and only 30,000 bytes of it sent: the answer comes
        // while the file streams in, at the limit, not after the whole body.
        using var upload = await PartialUpload.StartChunkedAsync(client, body, sendFirst: 30_000);
        var response = await upload.ReadResponseAsync();

        AssertTooLarge(response, "10,000");
        await Uploads.AssertNothingKeptAsync(host, client);
        // The host is unharmed: a file at the limit is taken.
        await Uploads.UploadAsync(client, Uploads.Binary(10_000));
    }

    [Fact]
    public async Task A_whole_chunked_body_far_past_the_size_limit_sent_at_once_is_413_and_nothing_is_kept()
    {
        await using var host = database.NewHost();
        host.With("Uploads:MaxBytes", "10000");
        using var client = await host.CreateAuthenticatedClientAsync();
        var body = Uploads.Body(Uploads.FilePart("filename=\"big.bin\""), Uploads.Binary(1_000_000));

        var response = await RawHttp.SendAsync(client.BaseAddress!, Uploads.Head(client, "Transfer-Encoding: chunked"), PartialUpload.Chunked(body, last: true));

        AssertTooLarge(response, "10,000");
        await Uploads.AssertNothingKeptAsync(host, client);
    }

    [Fact]
    public async Task A_body_whose_content_length_is_over_the_limit_is_413_before_any_of_it_is_read()
    {
        await using var host = database.NewHost();
        host.With("Uploads:MaxBytes", "10000");
        using var client = await host.CreateAuthenticatedClientAsync();

        // Only the head is sent: an answer at all means the server did not wait for the body.
        var response = await RawHttp.SendAsync(client.BaseAddress!, Uploads.Head(client, "Content-Length: 1000000"), []);

        AssertTooLarge(response, "10,000");
        await Uploads.AssertNothingKeptAsync(host, client);
    }

    [Fact]
    public async Task Uploads_past_the_quota_are_413_and_kept_nowhere_until_a_delete_makes_room()
    {
        await using var host = database.NewHost();
        host.With("Uploads:QuotaBytes", "3000");
        using var owner = await host.CreateAuthenticatedClientAsync();
        using var other = await host.CreateAuthenticatedClientAsync();
        var first = await Uploads.UploadAsync(owner, Uploads.Binary(1000));
        await Uploads.UploadAsync(owner, Uploads.Binary(1000));

        // 1,500 more would make 3,500: refused at the byte past 3,000.
        using (var over = await Uploads.SendAsync(owner, Uploads.Binary(1500)))
        {
            var problem = await over.ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge);
            Assert.Contains("quota", problem.Detail, StringComparison.Ordinal);
        }
        Assert.Equal(2, Uploads.Entries(host).Length);
        Assert.Equal(2, await Uploads.TotalAsync(owner));

        // Exactly up to the quota is allowed; then even one byte more is refused.
        await Uploads.UploadAsync(owner, Uploads.Binary(1000));
        using (var full = await Uploads.SendAsync(owner, Uploads.Binary(1)))
            await full.ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(3, Uploads.Entries(host).Length);

        // The quota is each user's own.
        await Uploads.UploadAsync(other, Uploads.Binary(3000));

        using (var deleted = await owner.DeleteAsync($"/files/{first.Id}"))
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await Uploads.UploadAsync(owner, Uploads.Binary(1000));
        Assert.Equal(3, await Uploads.TotalAsync(owner));
        Assert.Equal(4, Uploads.Entries(host).Length);
    }

    [Fact]
    public async Task A_client_that_disconnects_mid_upload_leaves_no_file_no_temporary_and_no_row()
    {
        await using var host = database.NewHost();
        using var client = await host.CreateAuthenticatedClientAsync();
        var body = Uploads.Body(Uploads.FilePart("filename=\"gone.bin\""), Uploads.Binary(1_000_000));

        using (await PartialUpload.StartAsync(client, body, sendFirst: 300_000))
        {
            // The server is writing the file: its temporary is there.
            await Eventually.TrueAsync(() => Uploads.Entries(host) is [var entry] && Uploads.IsTemporary(entry),
                TimeSpan.FromSeconds(30), "the upload's temporary appears");
        }

        await Eventually.ValueAsync(() => Task.FromResult(string.Join(", ", Uploads.Entries(host))), entries => entries.Length == 0,
            TimeSpan.FromSeconds(30), "the uploads folder is empty again");
        Assert.Equal(0, await Uploads.TotalAsync(client));
        await Uploads.UploadAsync(client, Uploads.Binary(1000));
    }

    [Fact]
    public async Task A_full_disk_is_507_and_leaves_nothing_half_written()
    {
        await using var host = database.NewHost();
        var store = FillingFileStore.Install(host, room: 100_000);
        using var client = await host.CreateAuthenticatedClientAsync();

        using (var response = await Uploads.SendAsync(client, Uploads.Binary(300_000)))
        {
            await response.ShouldBeProblemAsync(HttpStatusCode.InsufficientStorage);
        }

        // When the disk filled, the temporary held what fitted; now there is nothing.
        var seen = Assert.Single(store.SeenWhenFull!);
        Assert.True(Uploads.IsTemporary(seen.Key), seen.Key);
        Assert.Equal(100_000, seen.Value);
        await Uploads.AssertNothingKeptAsync(host, client);
        // What fits is still stored.
        await Uploads.UploadAsync(client, Uploads.Binary(50_000));
    }

    private static void AssertTooLarge(RawHttp.Response response, string limit)
    {
        Assert.True(response.Status == 413, $"{response.Status}: {response.Body}");
        Assert.Equal("application/problem+json", response.ContentType?.Split(';')[0]);
        Assert.Equal("close", response.Headers.GetValueOrDefault("connection"));
        var problem = JsonSerializer.Deserialize<Problem>(response.Body, HttpAssertions.Answers)!;
        Assert.Equal(413, problem.Status);
        Assert.Contains(limit, problem.Detail, StringComparison.Ordinal);
    }
}

[ServerFree]
public sealed class SqliteUploadLimitTests(SqliteUploadsDatabase database) : UploadLimitTests(database), IClassFixture<SqliteUploadsDatabase>;

public sealed class PostgresUploadLimitTests(PostgresUploadsDatabase database) : UploadLimitTests(database), IClassFixture<PostgresUploadsDatabase>;
