using Storefront.Api.Dashboard;

namespace Storefront.Tests.Dashboard;

/// <summary>An open GET /dashboard/stream, read event by event as the page reads it (event: and data: lines).</summary>
internal sealed class SnapshotStream : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private SnapshotStream(HttpResponseMessage response, StreamReader reader)
    {
        _response = response;
        _reader = reader;
    }

    public static async Task<SnapshotStream> OpenAsync(HttpClient client)
    {
        var response = await client.GetAsync("/dashboard/stream", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new SnapshotStream(response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    /// <summary>The next snapshot, read as the service's record; fails if none comes within <paramref name="timeout"/> (10 s by default).</summary>
    public async Task<DashboardSnapshot> NextAsync(TimeSpan? timeout = null) => Read(await NextJsonAsync(timeout));

    /// <summary>The next snapshot event's JSON as it came, for the member names on the wire.</summary>
    public async Task<JsonElement> NextJsonAsync(TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        string? eventType = null;
        while (await _reader.ReadLineAsync(deadline.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal)) eventType = line["event: ".Length..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                Assert.Equal("snapshot", eventType);
                return JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone();
            }
        }
        throw new EndOfStreamException("The stream ended.");
    }

    /// <summary>Reads snapshots until one satisfies <paramref name="done"/>, and returns it.</summary>
    public async Task<DashboardSnapshot> UntilAsync(Func<DashboardSnapshot, bool> done, TimeSpan timeout, string because) =>
        Read(await UntilJsonAsync(done, timeout, because));

    /// <summary>As <see cref="UntilAsync"/>, but the snapshot's JSON as it came.</summary>
    public async Task<JsonElement> UntilJsonAsync(Func<DashboardSnapshot, bool> done, TimeSpan timeout, string because)
    {
        var started = DateTime.UtcNow;
        JsonElement last = default;
        while (DateTime.UtcNow - started < timeout)
        {
            last = await NextJsonAsync();
            if (done(Read(last))) return last;
        }
        throw new TimeoutException($"No snapshot within {timeout.TotalSeconds:0} s: {because}. Last: {last}");
    }

    /// <summary>A snapshot's JSON as the service's record, as strictly as the answers of every other test.</summary>
    public static DashboardSnapshot Read(JsonElement json) =>
        json.Deserialize<DashboardSnapshot>(HttpAssertions.Answers) ?? throw new Xunit.Sdk.XunitException("A null snapshot");

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        return ValueTask.CompletedTask;
    }
}
