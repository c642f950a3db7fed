using System.Text.RegularExpressions;

namespace Storefront.Tests.Hardening;

/// <summary>
/// Validation is exact and the same everywhere: patterns hold for the whole string, numbers are numbers (never
/// strings, never "1,000"), text is valid UTF-8 without NUL. Run on both stores, since NUL is where they differ.
/// </summary>
public abstract class StrictInputTests(StorefrontFactory factory) : IAsyncLifetime
{
    private HttpClient _client = null!;

    // An admin, so that admin-only endpoints (PUT /items/{id}/stock) read the bodies under test.
    public async ValueTask InitializeAsync() => _client = await factory.CreateAdminClientAsync("strict_admin");

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    [Theory]
    [InlineData("abcdef\n")]
    [InlineData("abcdef\r\n")]
    [InlineData("\nabcdef")]
    public async Task A_username_with_a_line_break_is_refused(string username)
    {
        var response = await _client.PostAsJsonAsync("/register", new { username, email = $"{TestAccounts.NewUsername()}@example.com", password = TestAccounts.Password });
        await response.ShouldBeValidationProblemAsync("username");
    }

    [Fact]
    public async Task A_path_value_with_a_newline_is_named_without_csharp_names()
    {
        var problem = await (await _client.GetAsync("/items/12%0Ax")).ShouldBeValidationProblemAsync("item_id");
        Assert.DoesNotContain("ItemId", problem.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("int ", problem.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"name": "Lamp", "price": "9.99"}""")]
    [InlineData("""{"name": "Lamp", "price": "1e3"}""")]
    [InlineData("""{"name": "Lamp", "price": "NaN"}""")]
    public async Task Numbers_sent_as_json_strings_are_refused(string body)
    {
        await (await _client.PostJsonTextAsync("/items", body)).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        await (await _client.PutJsonTextAsync("/items/1", body)).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("/slow?seconds=0,5", "seconds")] // the framework reads this as 5
    [InlineData("/slow?seconds=0,001", "seconds")] // ... and this as 1
    [InlineData("/slow?seconds=1e1", "seconds")]
    [InlineData("/slow?seconds=%201", "seconds")]
    [InlineData("/slow?seconds=1&seconds=2", "seconds")] // joined into "1,2", read as 12
    [InlineData("/items?limit=1,000", "limit")]
    [InlineData("/items?limit=%205", "limit")]
    [InlineData("/items?limit=%2B5", "limit")]
    [InlineData("/items?limit=5%00", "limit")]
    [InlineData("/items?skip=1%0A", "skip")]
    [InlineData("/users?limit=5%20", "limit")]
    [InlineData("/qr?data=x&size=%2B2", "size")]
    [InlineData("/product/%2B7", "id")]
    [InlineData("/product/7%20", "id")]
    public async Task Query_and_path_numbers_are_plain_digits(string url, string field)
    {
        await (await _client.GetAsync(url)).ShouldBeValidationProblemAsync(field);
    }

    [Theory]
    [InlineData("/slow?seconds=0.25")]
    [InlineData("/slow?seconds=-0")]
    [InlineData("/items?limit=007&skip=0")]
    public async Task Plain_numbers_are_still_read(string url)
    {
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync(url)).StatusCode);
    }

    public static TheoryData<string, string, string> InvalidUtf8Bodies => new()
    {
        // Every JSON endpoint (the convention test below proves the list complete), with invalid UTF-8 in a string.
        { "POST", "/items", """{"name": "La~", "price": 5}""" },
        { "PUT", "/items/1", """{"name": "La~", "price": 5}""" },
        { "POST", "/register", """{"username": "u~", "email": "u@example.com", "password": "a long enough passphrase"}""" },
        { "POST", "/predict", """{"text": "I love ~"}""" },
        { "POST", "/log", """{"event": "~"}""" },
        { "POST", "/users/me/password", """{"current_password": "a~", "new_password": "another fine passphrase"}""" },
        { "POST", "/password-recovery", """{"email": "u~@example.com"}""" },
        { "POST", "/reset-password", """{"token": "t~", "new_password": "another fine passphrase"}""" },
        // No string field of their own: the bytes sit where a number is read (in an unknown member's name or value the
        // reader skips them unchecked, and the endpoint never sees them).
        { "POST", "/orders", """{"lines": [{"item_id": ~1, "quantity": 1}]}""" },
        { "PUT", "/items/1/stock", """{"in_stock": ~5}""" },
    };

    [Theory]
    [MemberData(nameof(InvalidUtf8Bodies))]
    public async Task Invalid_utf8_is_refused_by_every_json_endpoint(string method, string path, string body)
    {
        // '~' stands for the bytes FF FE, which are never UTF-8.
        var bytes = System.Text.Encoding.UTF8.GetBytes(body).SelectMany(b => b == (byte)'~' ? new byte[] { 0xFF, 0xFE } : [b]).ToArray();
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        await (await _client.SendAsync(request)).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("""{"name": "Lamp\u0000", "price": 5}""", "name")]
    [InlineData("""{"name": "Lamp", "price": 5, "description": "\u0000"}""", "description")]
    public async Task Nul_in_text_is_refused_before_the_store_sees_it(string body, string field)
    {
        await (await _client.PostJsonTextAsync("/items", body)).ShouldBeValidationProblemAsync(field);
        var register = await _client.PostAsJsonAsync("/register", new { username = TestAccounts.NewUsername(), email = "nul@example.com", password = "a long\0passphrase" });
        await register.ShouldBeValidationProblemAsync("password");
        await (await _client.GetAsync("/qr?data=a%00b")).ShouldBeValidationProblemAsync("data");
        await (await _client.PostAsync("/predict?text=a%00b", null)).ShouldBeValidationProblemAsync("text");
        // The multipart form reader, unlike the urlencoded one, lets NUL through to the endpoint.
        using var form = new MultipartFormDataContent { { new StringContent("ann\0"), "username" }, { new StringContent(TestAccounts.Password), "password" } };
        await (await _client.PostAsync("/token", form)).ShouldBeValidationProblemAsync("username");
    }
}

[ServerFree]
public sealed class SqliteStrictInputTests(SqliteStorefrontFactory factory)
    : StrictInputTests(factory), IClassFixture<SqliteStorefrontFactory>;

public sealed class PostgresStrictInputTests(PostgresStorefrontFactory factory)
    : StrictInputTests(factory), IClassFixture<PostgresStorefrontFactory>;

/// <summary>What keeps <see cref="StrictInputTests"/> true as the code grows: every pattern, every JSON endpoint.</summary>
[ServerFree]
public sealed partial class StrictInputConventionTests(SqliteStorefrontFactory factory) : IClassFixture<SqliteStorefrontFactory>
{
    [Fact]
    public void Every_regex_in_the_service_anchors_the_whole_string()
    {
        // '^' and '$' match at line breaks ('$' also just before a final newline): a pattern meant for a whole value
        // must use \A and \z. Patterns that search inside a text are not anchored at all, and are not affected.
        var source = Path.Combine(RepositoryRoot(), "src", "Storefront.Api");
        var patterns = Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => RegexPattern().Matches(File.ReadAllText(f)).Select(m => (File: Path.GetFileName(f), Pattern: m.Groups["pattern"].Value)))
            .ToList();
        Assert.Contains(patterns, p => p.File == "AccountContracts.cs"); // The reader finds the patterns that exist.
        var offenders = patterns.Where(p => p.Pattern.Contains('$', StringComparison.Ordinal) || p.Pattern.StartsWith('^')).ToList();
        Assert.True(offenders.Count == 0, "Anchor with \\A and \\z: " + string.Join(", ", offenders));
    }

    [Fact]
    public void The_invalid_utf8_table_lists_every_json_endpoint()
    {
        var listed = StrictInputTests.InvalidUtf8Bodies.Select(row => $"{row.Data.Item1} {Regex.Replace(row.Data.Item2, "/[0-9]+(?=/|$)", "/{item_id}")}").Order().ToList();
        var jsonEndpoints = EndpointCatalog.All(factory.Services).Where(e => e.Body == BodyKind.Json).Select(e => e.ToString()).Order().ToList();
        Assert.Equal(jsonEndpoints, listed);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Storefront.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Storefront.slnx not found above the test binaries.");
    }

    // new Regex("..."), Regex.IsMatch(x, "..."), [GeneratedRegex("...")], with plain, verbatim or raw string literals.
    [GeneratedRegex(""""(?:GeneratedRegex\(|new Regex\(|Regex\.\w+\([^,()]+,\s*)(?:"""(?<pattern>.*?)"""|@"(?<pattern>(?:[^"]|"")*)"|"(?<pattern>(?:[^"\\]|\\.)*)")"""", RegexOptions.Singleline)]
    private static partial Regex RegexPattern();
}
