using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Storefront.Tests.Files;

/// <summary>
/// One user cannot hold every upload place (a per-user cap), nor hold one by trickling just above
/// Kestrel's default rate (a minimum data rate of its own), uploads stop before the disk fills (a free-space floor), and
/// uploads finishing together cannot pass the quota. On both stores where the database is involved.
/// </summary>
public abstract class UploadAbuseTests(UploadsDatabase database)
{
    [Fact]
    public async Task Uploads_finishing_together_cannot_pass_the_quota()
    {
        await using var host = database.NewHost();
        host.With("Uploads:QuotaBytes", "100000").With("Uploads:MaxConcurrentPerUser", "16");
        using var client = await host.CreateAuthenticatedClientAsync();
        // Eight at once, each fitting alone: all pass the check at the start, and finish at about the same time.
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Uploads.SendAsync(client, Uploads.Binary(40_000))));
        var stored = (await Uploads.ListAsync(client)).Items.Sum(f => f.Size);
        Assert.InRange(stored, 0, 100_000);
        Assert.Equal(2, answers.Count(a => a.StatusCode == HttpStatusCode.Created));
        foreach (var refused in answers.Where(a => a.StatusCode != HttpStatusCode.Created))
            await refused.ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        // What was refused left nothing behind.
        await Eventually.TrueAsync(() => Uploads.Entries(host).Count(e => !Uploads.IsTemporary(e)) == 2, TimeSpan.FromSeconds(30),
            "only the two recorded files are in the store");
    }

    [Fact]
    public async Task Below_the_free_space_floor_an_upload_is_507_before_a_byte_is_written()
    {
        await using var host = database.NewHost();
        host.With("Uploads:MinFreeBytes", (1L << 50).ToString(System.Globalization.CultureInfo.InvariantCulture)); // 1 PiB: never free.
        using var client = await host.CreateAuthenticatedClientAsync();
        var response = await Uploads.SendAsync(client, Uploads.Binary(1000));
        await response.ShouldBeProblemAsync(HttpStatusCode.InsufficientStorage);
        await Uploads.AssertNothingKeptAsync(host, client);
    }
}

public sealed class SqliteUploadAbuseTests(SqliteUploadsDatabase database) : UploadAbuseTests(database), IClassFixture<SqliteUploadsDatabase>;

public sealed class PostgresUploadAbuseTests(PostgresUploadsDatabase database) : UploadAbuseTests(database), IClassFixture<PostgresUploadsDatabase>;

/// <summary>The limits of a single instance that need no database: places per user and the minimum data rate.</summary>
public sealed class UploadPlaceTests
{
    [Fact]
    public async Task One_user_holds_at_most_its_share_of_upload_places_and_others_still_upload()
    {
        await using var host = new SqliteStorefrontFactory();
        host.With("Uploads:MaxConcurrentPerUser", "2");
        using var client = await host.CreateAuthenticatedClientAsync();
        var body = Uploads.Body(Uploads.FilePart("filename=\"slow.bin\""), Uploads.Binary(200_000));
        using var first = await PartialUpload.StartAsync(client, body, sendFirst: 20_000);
        using var second = await PartialUpload.StartAsync(client, body, sendFirst: 20_000);
        await Eventually.TrueAsync(() => Uploads.Entries(host).Count(Uploads.IsTemporary) == 2, TimeSpan.FromSeconds(30),
            "both held uploads are being written");

        var third = await Uploads.SendAsync(client, Uploads.Binary(1000));
        Assert.Contains("Uploads__MaxConcurrentPerUser", (await third.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests)).Detail,
            StringComparison.Ordinal);
        Assert.NotNull(third.Headers.RetryAfter);
        using var someoneElse = await host.CreateAuthenticatedClientAsync();
        await Uploads.UploadAsync(someoneElse, Uploads.Binary(1000));

        // A place comes back when an upload ends.
        Assert.Equal(201, (await first.FinishAsync()).Status);
        await Uploads.UploadAsync(client, Uploads.Binary(1000));
    }

    [Fact]
    public async Task A_body_trickled_just_above_kestrels_default_rate_is_cut_off_and_nothing_is_kept()
    {
        await using var host = new SqliteStorefrontFactory();
        host.With("Uploads:MinBytesPerSecond", "4096").With("Uploads:MinRateGraceSeconds", "1");
        using var client = await host.CreateAuthenticatedClientAsync();
        var server = client.BaseAddress!;
        var body = Uploads.Body(Uploads.FilePart("filename=\"trickle.bin\""), Uploads.Binary(1_000_000));

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(Uploads.Head(client, $"Content-Length: {body.Length}\r\n\r\n")));
        // About 2 KB/s: eight times Kestrel's default minimum (240 bytes/s), half the one set here.
        var closed = stream.ReadAsync(new byte[4096]).AsTask();
        var started = Stopwatch.GetTimestamp();
        var sent = 0;
        while (!closed.IsCompleted && Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(30) && sent + 200 <= body.Length)
        {
            try
            {
                await stream.WriteAsync(body.AsMemory(sent, 200));
            }
            catch (IOException)
            {
                break; // The server closed the connection.
            }
            sent += 200;
            await Task.WhenAny(closed, Task.Delay(100));
        }
        Assert.True(closed.IsCompleted || Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(30),
            $"the server still took the trickle after {sent} bytes");
        await Eventually.TrueAsync(() => Uploads.Entries(host).Length == 0, TimeSpan.FromSeconds(30), "the cut-off upload left nothing");
        Assert.Equal(0, await Uploads.TotalAsync(client));
    }
}
