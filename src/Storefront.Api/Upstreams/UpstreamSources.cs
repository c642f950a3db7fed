using System.Diagnostics.Metrics;

namespace Storefront.Api.Upstreams;

/// <summary>
/// Makes the upstream sources of the features that call upstreams (products, lessons): each feature names its
/// sources and policies; this resolves their addresses (configured, or the embedded simulator) and gives them the
/// shared pooled client and duration histogram. Sources live as long as the host.
/// </summary>
public sealed class UpstreamSources(EmbeddedSimulator simulator, IHttpClientFactory clients, IMeterFactory meters) : IAsyncDisposable
{
    private readonly Histogram<double> _duration = meters.Create("Storefront.Upstreams").CreateHistogram<double>(
        "storefront.upstream.request.duration", "s", "Time each upstream call took, by source and outcome");
    private readonly List<UpstreamSource> _created = [];

    /// <param name="name">The source's name in results, problems, metrics and spans.</param>
    /// <param name="configuredUrl">Its configured address (Upstreams__*), or null for the simulator.</param>
    /// <param name="simulatorPath">Where the simulator serves it, relative to the simulator's root.</param>
    public UpstreamSource Create(string name, string? configuredUrl, string simulatorPath, SourcePolicy policy)
    {
        var baseUrl = configuredUrl is not null ? Task.FromResult(configuredUrl.TrimEnd('/')) : FromSimulator(simulatorPath);
        var source = new UpstreamSource(name, baseUrl, policy.TimeoutMs, policy.Required, policy.MaxConcurrency, policy.QueueLimit,
            clients, _duration);
        lock (_created) _created.Add(source);
        return source;
    }

    public async ValueTask DisposeAsync()
    {
        UpstreamSource[] created;
        lock (_created) created = [.. _created];
        foreach (var source in created) await source.DisposeAsync();
    }

    private async Task<string> FromSimulator(string path) => new Uri(await simulator.BaseAddress, path).ToString().TrimEnd('/');
}
