using System.Collections.Concurrent;
using System.Net.Http.Headers;

namespace Storefront.Tests.Hardening;

/// <summary>
/// Every input of every endpoint, found from the running app's metadata, sent malformed, oversized, mistyped, wrongly
/// encoded and truncated (<see cref="InputCorpus"/>), on each store: nothing may reach a 5xx, every refusal is Problem
/// Details that names no internals and quotes at most 40 characters of what was sent. PostgreSQL refuses NUL in text
/// and SQLite keeps it, so running both proves NUL is refused before either store sees it.
/// </summary>
public abstract class InputCorpusTests : IAsyncLifetime
{
    private readonly StorefrontFactory _factory;
    private HttpClient _client = null!;
    private string _token = null!;
    private string _username = null!;

    // The corpus's user is an admin, so that admin-only endpoints (PUT /items/{id}/stock) read their input too.
    private const string Admin = "corpus_admin";

    protected InputCorpusTests(StorefrontFactory factory)
    {
        // A product page's 502/504 speaks of an upstream, not of the input: deadlines a loaded CI machine always meets.
        _factory = factory.With("Products:Pricing:TimeoutMs", "20000").With("Products:Inventory:TimeoutMs", "20000");
    }

    public async ValueTask InitializeAsync()
    {
        using var admin = await _factory.CreateAdminClientAsync(Admin);
        _client = _factory.CreateClient();
        _username = Admin;
        _token = admin.DefaultRequestHeaders.Authorization!.Parameter!;
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public void The_catalog_reads_real_inputs()
    {
        // Guards the reader: these inputs exist, so a reader that found nothing would pass every endpoint.
        var endpoints = EndpointCatalog.TakingInput(_factory.Services).ToDictionary(e => e.ToString());
        Assert.Equal(["name", "price", "description"], endpoints["POST /items"].BodyFields.Select(f => f.Name));
        Assert.True(endpoints["POST /items"].RequiresUser);
        Assert.Equal(["skip", "limit", "after", "q", "sort", "min_price", "max_price", "include_total"],
            endpoints["GET /items"].Query.Select(f => f.Name.ToLowerInvariant()));
        Assert.Equal("item_id", Assert.Single(endpoints["GET /items/{item_id}"].Path).Name);
        Assert.Equal(BodyKind.Form, endpoints["POST /token"].Body);
        Assert.Equal(["username", "password"], endpoints["POST /token"].BodyFields.Select(f => f.Name));
        Assert.Equal(BodyKind.Json, endpoints["POST /log"].Body);
        Assert.Contains(endpoints["POST /predict"].Query, f => f.Name == "text");
        Assert.False(endpoints.ContainsKey("GET /multi"), "an endpoint without inputs is not in the corpus");
    }

    [Fact]
    public async Task No_input_to_any_endpoint_gets_a_5xx_or_an_unclean_refusal()
    {
        var endpoints = EndpointCatalog.TakingInput(_factory.Services);
        var corpus = new InputCorpus(new InputSamples(_username));

        // Each endpoint accepts its own sample first: otherwise the corpus would only ever exercise the refusal path.
        var failures = new ConcurrentQueue<string>();
        foreach (var endpoint in endpoints)
        {
            var baseline = corpus.Baseline(endpoint);
            var (status, _, _, body) = await SendAsync(baseline);
            // 404 and 409 answer a valid request about state (no such item, no stock left), not about its input; so does
            // a 400 naming only a secret no sample can know (InputSamples.SecretFields).
            if (status is >= 400 and not 404 and not 409 && !RefusesOnlyASecret(status, body))
                failures.Enqueue($"{baseline}: the sample request got {status}: {body}");
        }
        Assert.True(failures.IsEmpty, "Fix the samples in InputSamples:\n" + string.Join("\n", failures));

        var probes = endpoints.SelectMany(corpus.For).Where(p => p.Label != "baseline" || p.Anonymous).ToList();
        await Parallel.ForEachAsync(probes, new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (probe, _) =>
        {
            var (status, contentType, hasProcessTime, body) = await SendAsync(probe);
            foreach (var broken in ResponseRules.Broken(probe, status, contentType, hasProcessTime, body)) failures.Enqueue($"{probe}: {broken}");
        });
        Assert.True(failures.IsEmpty, $"{failures.Count} of {probes.Count} corpus requests broke the rules:\n" + string.Join("\n", failures.Take(60)));
    }

    private static bool RefusesOnlyASecret(int status, string body)
    {
        if (status != 400) return false;
        using var problem = System.Text.Json.JsonDocument.Parse(body);
        return problem.RootElement.TryGetProperty("errors", out var errors)
            && errors.EnumerateObject().All(e => InputSamples.SecretFields.Contains(e.Name));
    }

    private async Task<(int Status, string? ContentType, bool HasProcessTime, string Body)> SendAsync(Probe probe)
    {
        var authorize = probe.Endpoint.RequiresUser && !probe.Anonymous;
        if (probe.Chunked || probe.Expect == Expect.TooLarge)
        {
            var framing = probe.Chunked ? "Transfer-Encoding: chunked" : $"Content-Length: {probe.Body!.Length}";
            var head = $"{probe.Endpoint.Method} {probe.Target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {probe.ContentType}\r\n{framing}"
                       + (authorize ? $"\r\nAuthorization: Bearer {_token}" : "");
            var raw = await RawHttp.SendAsync(_client.BaseAddress!, head, probe.Body!);
            var mediaType = raw.ContentType?.Split(';')[0].Trim();
            return (raw.Status, mediaType, raw.Headers.ContainsKey("x-process-time"), raw.Body);
        }

        using var request = new HttpRequestMessage(new HttpMethod(probe.Endpoint.Method), probe.Target);
        if (authorize) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        if (probe.Body is not null)
        {
            request.Content = new ByteArrayContent(probe.Body);
            if (probe.ContentType is not null) request.Content.Headers.TryAddWithoutValidation("Content-Type", probe.ContentType);
        }
        using var response = await _client.SendAsync(request);
        return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, response.Headers.Contains("X-Process-Time"),
            await response.Content.ReadAsStringAsync());
    }
}

[Collection(LoadHeavyTests.Name)]
[ServerFree]
public sealed class SqliteInputCorpusTests(SqliteStorefrontFactory factory)
    : InputCorpusTests(factory), IClassFixture<SqliteStorefrontFactory>;

[Collection(LoadHeavyTests.Name)]
public sealed class PostgresInputCorpusTests(PostgresStorefrontFactory factory)
    : InputCorpusTests(factory), IClassFixture<PostgresStorefrontFactory>;
