using System.Diagnostics.Metrics;

namespace Storefront.Api.Upstreams;

/// <summary>
/// Makes the upstream sources of the features that call upstreams (products, lessons): each feature registers its
/// sources and policies (<c>AddUpstreamSource</c>); this resolves their addresses (configured, or the embedded
/// simulator) and gives each its own client and the shared duration histogram. Sources live as long as the host.
/// </summary>
public sealed class UpstreamSources(EmbeddedSimulator simulator, IHttpClientFactory clients, UpstreamCircuits circuits,
    IServiceProvider services, IMeterFactory meters) : IDisposable
{
    private readonly Histogram<double> _duration = meters.Create(UpstreamMetrics.MeterName).CreateHistogram<double>(
        UpstreamMetrics.Names.RequestDuration, "s", "Time each upstream call took, by source and outcome");
    private readonly List<UpstreamSource> _created = [];

    /// <summary>The named client of a source: its own connection pool.</summary>
    public static string ClientName(string source) => "upstream:" + source;

    /// <param name="name">A source registered with <c>AddUpstreamSource</c>.</param>
    /// <param name="configuredUrl">Its configured address (Upstreams__*), or null for the simulator.</param>
    /// <param name="simulatorPath">Where the simulator serves it, relative to the simulator's root.</param>
    public UpstreamSource Create(string name, string? configuredUrl, string simulatorPath)
    {
        var circuit = circuits.For(name);
        var policy = services.GetRequiredKeyedService<SourcePolicy>(name);
        var baseUrl = configuredUrl is not null ? Task.FromResult(configuredUrl.TrimEnd('/')) : FromSimulator(simulatorPath);
        // One client for the source's lifetime: the factory's handler never rotates (infinite handler lifetime),
        // its SocketsHttpHandler recycles connections itself, so asking the factory per call would only allocate.
        var source = new UpstreamSource(name, baseUrl, policy, clients.CreateClient(ClientName(name)), circuit,
            circuits.Clock, _duration);
        lock (_created) _created.Add(source);
        return source;
    }

    public void Dispose()
    {
        lock (_created) _created.ForEach(source => source.Dispose());
    }

    private async Task<string> FromSimulator(string path) => new Uri(await simulator.BaseAddress, path).ToString().TrimEnd('/');
}
