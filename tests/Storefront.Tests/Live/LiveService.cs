using Storefront.Tests.Diagnostics;

namespace Storefront.Tests.Live;

/// <summary>
/// The service as a process of its own (SQLite in a fresh folder, the webhook on), for tests that read exact figures
/// from /metrics: OpenTelemetry listens to meters by name, so in the test process every host's figures would add up.
/// </summary>
internal sealed class LiveService : IAsyncDisposable
{
    private readonly string _storage;

    private LiveService(ServiceProcess process, string storage)
    {
        Process = process;
        _storage = storage;
        Client = process.CreateClient();
    }

    public ServiceProcess Process { get; }

    public HttpClient Client { get; }

    public Uri BaseAddress => Process.BaseAddress;

    /// <summary>Starts the service with these settings (environment names, <c>__</c> as separator) added.</summary>
    public static async Task<LiveService> StartAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        var storage = Path.Combine(Path.GetTempPath(), "storefront-tests", Guid.NewGuid().ToString("N"));
        var environment = new Dictionary<string, string>
        {
            ["Storage__Path"] = storage,
            ["Inventory__WebhookSecret"] = InventoryEvents.Secret,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) environment[key] = value;
        return new LiveService(await ServiceProcess.StartAsync(environment), storage);
    }

    public async Task<IReadOnlyList<PrometheusText.Family>> ScrapeAsync()
    {
        using var response = await Client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }

    /// <summary>The sum of a counter's (or gauge's) samples with these labels, from a fresh scrape.</summary>
    public async Task<double> ValueAsync(string family, params (string Name, string Value)[] labels) =>
        (await ScrapeAsync()).Sum(family, family, labels);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Process.DisposeAsync();
        try { Directory.Delete(_storage, recursive: true); } catch (IOException) { } // Best effort: a temp folder.
    }
}
