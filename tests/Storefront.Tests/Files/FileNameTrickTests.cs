using System.Globalization;
using System.Text;
using Storefront.Api.Files;

namespace Storefront.Tests.Files;

/// <summary>
/// Whatever name a client sends, the bytes land in the uploads folder under the server's name, nothing is created
/// anywhere else, and the name kept (shown in listings, offered again as the download's name) is one plain segment.
/// The bodies are built by hand so that NUL, lone CR/LF, quotes and raw UTF-8 reach the server as sent.
/// </summary>
public abstract class FileNameTrickTests(UploadsDatabase database)
{
    private const string Sandbox = "{sandbox}";

    /// <summary>The Content-Disposition parameters sent, and the name the server should keep (null: no exact expectation).</summary>
    private static readonly Dictionary<string, (string Parameters, string? Kept)> Tricks = new()
    {
        ["parent segments"] = ("""filename="../../etc/passwd" """, "passwd"),
        ["absolute path"] = ("""filename="/etc/passwd" """, "passwd"),
        ["absolute path into the test's own folder"] = ($"""filename="{Sandbox}/escaped.txt" """, "escaped.txt"),
        ["windows parent segments"] = ("""filename="..\..\x.txt" """, "x.txt"),
        ["windows drive path"] = ("""filename="C:\Windows\win.ini" """, "win.ini"),
        ["drive-relative path"] = ("""filename="C:evil.txt" """, "evil.txt"),
        ["unc path"] = ("""filename="\\server\share\x" """, "x"),
        ["nul inside"] = ("filename=\"evil.php\0.txt\"", "evil.php.txt"),
        ["lone cr and lf inside"] = ("filename=\"a\rb\nc.txt\"", "abc.txt"),
        ["crlf header injection in filename*"] = ("filename*=UTF-8''a%0D%0AX-Injected%3A%201.txt", "aX-Injected_ 1.txt"),
        ["nul and parent segments in filename*"] = ("filename=\"safe.txt\"; filename*=UTF-8''..%2F..%2Fevil%00.txt", "evil.txt"),
        ["mime-encoded parent segments"] = ("""filename="=?utf-8?B?Li4vLi4vZXRjL3Bhc3N3ZA==?=" """, "passwd"),
        ["full-width solidus"] = ("filename=\"..\uFF0F..\uFF0Fetc\uFF0Fpasswd\"", "passwd"),
        ["full-width solidus in filename*"] = ("filename*=UTF-8''..%EF%BC%8F..%EF%BC%8Fx.txt", "x.txt"),
        ["one-dot leader"] = ("filename=\"\u2024\u2024/\u2024\u2024/x.txt\"", "x.txt"),
        ["division slash"] = ("filename=\"..\u2215..\u2215x.txt\"", "x.txt"),
        ["right-to-left override"] = ("filename=\"invoice\u202Etxt.exe\"", "invoicetxt.exe"),
        ["zero-width space"] = ("filename=\"\u200B..\u200B/x\u200B.txt\"", "x.txt"),
        ["300 characters"] = ($"filename=\"{new string('a', 300)}.txt\"", new string('a', 251) + ".txt"),
        ["300 multi-byte characters in filename*"] = ($"filename*=UTF-8''{Repeat("%C3%A9", 300)}.txt", new string('\u00E9', 125) + ".txt"),
        ["300 multi-byte characters raw"] = ($"filename=\"{Repeat("\u65E5\u672C", 150)}.txt\"", Repeat("\u65E5\u672C", 150)[..83] + ".txt"),
        ["empty"] = ("""filename="" """, "upload"),
        ["only dots"] = ("""filename="..." """, "upload"),
        ["dot dot"] = ("""filename=".." """, "upload"),
        ["reserved device name"] = ("""filename="CON.txt" """, "_CON.txt"),
        ["reserved device name with a superscript digit"] = ("filename=\"COM\u00B9.txt\"", "_COM\u00B9.txt"),
        ["escaped quote"] = ("""filename="a\"b.txt" """, null),
        ["markup"] = ("""filename="<script>alert(1)</script>.txt" """, null),
    };

    [Fact]
    public async Task Every_name_trick_is_stored_under_the_server_name_inside_the_uploads_folder()
    {
        await using var host = database.NewHost();
        // Storage:Path three levels down, so that a name's "../.." would still land inside this test's own folder.
        var sandbox = host.StoragePath;
        host.With("Storage:Path", Path.Combine(sandbox, "a", "b", "storage"));
        using var client = await host.CreateAuthenticatedClientAsync();
        // The sign-up's welcome mail lands in the pickup folder when its job runs, which a loaded machine does late:
        // wait for it, or it reads as a file an upload created.
        var mail = Path.Combine(sandbox, "a", "b", "storage", "mail");
        await Eventually.TrueAsync(() => Directory.Exists(mail) && Directory.EnumerateFiles(mail, "*.eml").Any(), TimeSpan.FromSeconds(30),
            "the welcome mail is in the pickup folder");

        // One host for all of them (a host per trick would cost seconds each); every upload is checked against what
        // the folders held just before it, and every trick is tried before the failures, if any, are reported.
        var failures = new List<string>();
        foreach (var (trick, (parameters, kept)) in Tricks)
        {
            try
            {
                // TrimEnd: a raw literal above ends in a space, since it cannot end with a quote.
                await CheckAsync(client, sandbox, parameters.Replace(Sandbox, sandbox, StringComparison.Ordinal).TrimEnd(), kept);
            }
            catch (Exception e) when (e is Xunit.Sdk.XunitException or JsonException)
            {
                failures.Add($"{trick}: {e.Message}");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
        Assert.Equal(Tricks.Count, await Uploads.TotalAsync(client));
    }

    private static async Task CheckAsync(HttpClient client, string sandbox, string parameters, string? kept)
    {
        var uploads = Path.Combine(sandbox, "a", "b", "storage", "uploads");
        var content = "hello, name tricks\n"u8.ToArray();
        var before = Tree(sandbox);
        using var response = await Uploads.PostAsync(client, Uploads.Body(Uploads.FilePart(parameters, "text/html"), content));
        var file = await response.ShouldBeJsonAsync<FileResponse>(HttpStatusCode.Created);

        // Stored under the server's name, in the uploads folder, and nothing else created anywhere in the test's folder.
        var id = file.Id;
        Assert.Equal(id + ".txt", file.Filename);
        Assert.Equal(new[] { Path.Combine("a", "b", "storage", "uploads", id + ".txt") }, Tree(sandbox).Except(before));
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(uploads, "*", SearchOption.AllDirectories), p => !p.EndsWith(".txt", StringComparison.Ordinal));

        var original = file.OriginalFilename;
        AssertHarmless(original);
        if (kept is not null) Assert.Equal(kept, original);

        using var download = await client.GetAsync($"/files/{id}");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(content, await download.Content.ReadAsByteArrayAsync());
        var disposition = download.Content.Headers.ContentDisposition!;
        Assert.Equal("attachment", disposition.DispositionType);
        Assert.Equal(original, disposition.FileNameStar);
        // Read back from the database: the name survives the store's column as it was answered.
        var listed = (await Uploads.ListAsync(client)).Items.Single(f => f.Id == id);
        Assert.Equal(original, listed.OriginalFilename);
    }

    private static void AssertHarmless(string name)
    {
        Assert.NotEqual("", name);
        Assert.False(name is "." or "..", name);
        Assert.DoesNotContain('/', name);
        Assert.DoesNotContain('\\', name);
        Assert.DoesNotContain(name, c => char.IsControl(c) || char.GetUnicodeCategory(c) is UnicodeCategory.Format);
        Assert.InRange(Encoding.UTF8.GetByteCount(name), 1, 255);
    }

    /// <summary>Every file and folder under <paramref name="root"/>, but the SQLite files the host writes as it likes.</summary>
    private static HashSet<string> Tree(string root) =>
        [.. Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
            .Where(p => !Path.GetFileName(p).StartsWith("storefront.db", StringComparison.Ordinal))
            .Select(p => Path.GetRelativePath(root, p))];

    private static string Repeat(string text, int times) => string.Concat(Enumerable.Repeat(text, times));
}

[ServerFree]
public sealed class SqliteFileNameTrickTests(SqliteUploadsDatabase database)
    : FileNameTrickTests(database), IClassFixture<SqliteUploadsDatabase>;

public sealed class PostgresFileNameTrickTests(PostgresUploadsDatabase database)
    : FileNameTrickTests(database), IClassFixture<PostgresUploadsDatabase>;
