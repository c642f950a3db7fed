using Storefront.Api.Files;

namespace Storefront.Tests.Files;

/// <summary>
/// What one instance does with its uploads folder and its upload slots: at startup it removes the temporaries a
/// stopped writer left (never one a live writer holds), uploads past Uploads:MaxConcurrent get 503 with Retry-After,
/// and an upload that stalls ends at its deadline. The database plays no part here.
/// </summary>
[ServerFree]
public sealed class UploadHostTests
{
    [Fact]
    public async Task At_startup_abandoned_temporaries_are_removed_but_one_a_live_writer_holds_and_stored_files_stay()
    {
        await using var host = new SqliteStorefrontFactory();
        var folder = Directory.CreateDirectory(Uploads.Folder(host)).FullName;
        var abandoned = Path.Combine(folder, ".upload-abandoned.tmp");
        await File.WriteAllBytesAsync(abandoned, Uploads.Binary(1000));
        var stored = Path.Combine(folder, "0123456789abcdef0123456789abcdef.bin");
        await File.WriteAllBytesAsync(stored, Uploads.Binary(1000));
        // FileShare.None takes the lock a writer holds on its temporary (on Linux, flock), here or in another process.
        var live = Path.Combine(folder, ".upload-live.tmp");
        await using var writer = new FileStream(live, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        await writer.WriteAsync(Uploads.Binary(1000));
        await writer.FlushAsync();

        // The sweep runs as the host starts, before it takes requests.
        using var client = host.CreateClient();

        Assert.False(File.Exists(abandoned), "the abandoned temporary is removed");
        Assert.True(File.Exists(live), "the temporary a writer still holds is left alone");
        Assert.True(File.Exists(stored), "a stored file is not a temporary");
        await (await client.GetAsync("/health/ready")).ShouldBeJsonAsync();
    }

    [Fact]
    public async Task Past_the_concurrent_upload_limit_an_upload_is_503_with_retry_after_until_a_slot_frees()
    {
        await using var host = new SqliteStorefrontFactory();
        host.With("Uploads:MaxConcurrent", "1");
        using var client = await host.CreateAuthenticatedClientAsync();
        var body = Uploads.Body(Uploads.FilePart("filename=\"slow.bin\""), Uploads.Binary(500_000));

        using var first = await PartialUpload.StartAsync(client, body, sendFirst: 100_000);
        // Its temporary is there: the first upload holds the one slot.
        await Eventually.TrueAsync(() => Uploads.Entries(host).Any(Uploads.IsTemporary), TimeSpan.FromSeconds(30), "the first upload is being written");

        using (var second = await Uploads.SendAsync(client, Uploads.Binary(1000)))
        {
            await second.ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable);
            Assert.True(second.Headers.RetryAfter?.Delta > TimeSpan.Zero, $"Retry-After: {second.Headers.RetryAfter}");
        }

        var finished = await first.FinishAsync();
        Assert.True(finished.Status == 201, $"{finished.Status}: {finished.Body}");
        Assert.Equal(500_000, JsonSerializer.Deserialize<FileResponse>(finished.Body, HttpAssertions.Answers)!.Size);

        // The slot is free again.
        await Uploads.UploadAsync(client, Uploads.Binary(1000));
        Assert.Equal(2, await Uploads.TotalAsync(client));
    }

    [Fact]
    public async Task An_upload_that_stalls_past_its_deadline_is_504_and_leaves_nothing()
    {
        await using var host = new SqliteStorefrontFactory();
        host.With("Uploads:TimeoutSeconds", "1");
        using var client = await host.CreateAuthenticatedClientAsync();
        var body = Uploads.Body(Uploads.FilePart("filename=\"stalled.bin\""), Uploads.Binary(500_000));

        // Part of the body, then nothing more: the server gives up at the upload's deadline.
        using var upload = await PartialUpload.StartAsync(client, body, sendFirst: 100_000);
        var response = await upload.ReadResponseAsync();

        Assert.True(response.Status == 504, $"{response.Status}: {response.Body}");
        Assert.Equal("application/problem+json", response.ContentType?.Split(';')[0]);
        await Uploads.AssertNothingKeptAsync(host, client);
    }
}
