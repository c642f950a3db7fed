using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;
using Storefront.Client;
using Storefront.Client.Models;
using Storefront.Client.Token;

namespace Storefront.Tests.ApiDescription;

/// <summary>
/// The Kiota client generated from docs/openapi.json (clients/Storefront.Client), used as a customer would, against the
/// service on real Kestrel; and a check that the committed client is what Kiota makes of the committed document.
/// </summary>
[ServerFree]
public sealed class GeneratedClientTests(SqliteStorefrontFactory factory) : IClassFixture<SqliteStorefrontFactory>
{
    [Fact]
    public async Task The_generated_client_registers_signs_in_writes_reads_and_reads_a_404_as_problem_details()
    {
        using var http = factory.CreateClient();
        var tokens = new Tokens();
        var adapter = new HttpClientRequestAdapter(new BaseBearerTokenAuthenticationProvider(tokens), httpClient: http)
        {
            BaseUrl = http.BaseAddress!.ToString().TrimEnd('/'),
        };
        var client = new StorefrontClient(adapter);

        var username = TestAccounts.NewUsername();
        var registered = await client.Register.PostAsync(new RegisterRequest
        {
            Username = username, Email = $"{username}@example.com", Password = TestAccounts.Password,
        });
        Assert.Equal("User registered", registered?.Msg);

        var token = await client.Token.PostAsync(new TokenPostRequestBody { Username = username, Password = TestAccounts.Password });
        Assert.Equal("bearer", token?.TokenType);
        tokens.Current = token!.AccessToken;
        Assert.Equal(username, (await client.Users.Me.GetAsync())?.Username);

        // Catalog writes need catalog staff: the role an operator grants (the users command's code, on this host's store).
        Assert.True(await factory.Services.GetRequiredService<Storefront.Api.Accounts.UserRoles>().GrantAsync(username, "catalog", CancellationToken.None));
        var created = await client.Items.PostAsync(new ItemRequest { Name = "Generated pen", Price = 1.5, Description = null });
        Assert.NotNull(created?.Id);
        var read = await client.Items[created!.Id!.Value].GetAsync();
        Assert.Equal("Generated pen", read?.Name);
        Assert.Equal(1.5, read?.Price);

        var product = await client.Product[7].GetAsync();
        Assert.Equal(7, product?.Id);
        Assert.Equal(7, product?.Price?.Id); // Pricing is required: a page without it is a 502/504, not a 200.
        Assert.Equal("ok", product?.Sources?.Pricing?.Status);

        var prediction = await client.Predict.PostAsync(new PredictRequest { Text = "a wonderful, delightful pen" });
        Assert.True(prediction?.Prediction is "positive" or "negative", prediction?.Prediction);
        Assert.InRange(prediction!.Score!.Value, 0, 1);

        var missing = await Assert.ThrowsAsync<ProblemDetails>(() => client.Items[int.MaxValue].GetAsync());
        Assert.Equal(404, missing.ResponseStatusCode);
        Assert.Equal(404, missing.Status);
        Assert.Contains($"{int.MaxValue}", missing.Detail, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(missing.TraceId));

        // Without the token the write is refused, and the refusal is typed too.
        tokens.Current = null;
        var refused = await Assert.ThrowsAsync<ProblemDetails>(() => client.Items.PostAsync(new ItemRequest { Name = "x", Price = 1 }));
        Assert.Equal(401, refused.ResponseStatusCode);
    }

    [Fact]
    public async Task The_committed_client_is_what_kiota_generates_from_docs_openapi_json()
    {
        var root = Repository.Root();
        var committed = Path.Combine(root, "clients", "Storefront.Client", "Generated");
        var fresh = Path.Combine(Path.GetTempPath(), $"storefront-client-{Guid.NewGuid():N}");
        try
        {
            // The same invocation as scripts/generate-client (scripts/lib/kiota.sh), into a folder of its own.
            var (exitCode, output, errors) = await Tool.RunAsync("bash",
                ["-c", "source scripts/lib/kiota.sh && kiota_generate \"$1\"", "kiota", fresh], root, TimeSpan.FromMinutes(5));
            Assert.True(exitCode == 0, $"kiota failed ({exitCode}):\n{output}\n{errors}");

            var expected = Files(fresh);
            var actual = Files(committed);
            Assert.True(expected.Keys.SequenceEqual(actual.Keys),
                $"clients/Storefront.Client/Generated is stale (files differ): run scripts/generate-client --client. " +
                $"Missing: {string.Join(", ", expected.Keys.Except(actual.Keys))}; extra: {string.Join(", ", actual.Keys.Except(expected.Keys))}");
            var stale = expected.Keys.Where(name => expected[name] != actual[name]).ToList();
            Assert.True(stale.Count == 0, $"clients/Storefront.Client/Generated is stale: run scripts/generate-client --client. Differs: {string.Join(", ", stale)}");
        }
        finally
        {
            if (Directory.Exists(fresh)) Directory.Delete(fresh, recursive: true);
        }
    }

    // Relative name -> text; the lock file's descriptionLocation is relative to the output folder, so it is left out.
    private static SortedDictionary<string, string> Files(string folder) =>
        new(Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).ToDictionary(
            file => Path.GetRelativePath(folder, file).Replace('\\', '/'),
            file => string.Join('\n', File.ReadAllLines(file).Where(line => !line.Contains("\"descriptionLocation\"", StringComparison.Ordinal)))),
            StringComparer.Ordinal);

    private sealed class Tokens : IAccessTokenProvider
    {
        public string? Current { get; set; }

        // Loopback http: the validator would otherwise allow any host, which is what a test against 127.0.0.1 needs.
        public AllowedHostsValidator AllowedHostsValidator { get; } = new();

        public Task<string> GetAuthorizationTokenAsync(Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null,
            CancellationToken cancellationToken = default) => Task.FromResult(Current ?? "");
    }
}
