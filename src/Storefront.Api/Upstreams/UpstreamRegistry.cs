using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;

namespace Storefront.Api.Upstreams;

/// <summary>Every upstream the service talks to, built once from configuration.</summary>
public sealed class UpstreamRegistry : IAsyncDisposable
{
    public UpstreamRegistry(IOptions<UpstreamsOptions> upstreams, IOptions<ProductOptions> products,
        EmbeddedSimulator simulator, IHttpClientFactory clients, IMeterFactory meters)
    {
        var duration = meters.Create("Storefront.Upstreams").CreateHistogram<double>("storefront.upstream.request.duration", "s",
            "Time each upstream call took, by source and outcome");
        var o = upstreams.Value;
        var p = products.Value;
        Task<string> Resolve(string? configured, string simulatorPath) =>
            configured is not null ? Task.FromResult(configured.TrimEnd('/')) : FromSimulator(simulatorPath);

        async Task<string> FromSimulator(string path) => new Uri(await simulator.BaseAddress, path).ToString().TrimEnd('/');

        UpstreamSource Product(string name, string? configured, SourcePolicy policy) =>
            new(name, Resolve(configured, name), policy.TimeoutMs, policy.Required, policy.MaxConcurrency, policy.QueueLimit, clients, duration);

        UpstreamSource Lesson(string name, string? configured, string simulatorPath) =>
            new(name, Resolve(configured, simulatorPath), o.LessonTimeoutMs, required: true, maxConcurrency: 1024, queueLimit: 4096, clients, duration);

        Pricing = Product("pricing", o.Pricing, p.Pricing);
        Inventory = Product("inventory", o.Inventory, p.Inventory);
        Reco = Product("reco", o.Reco, p.Reco);

        string[] defaultCities = ["london", "paris", "tokyo"];
        Weather = o.Weather.Count > 0
            ? o.Weather.Select((url, i) => Lesson($"weather[{i}]", url, "")).ToArray()
            : defaultCities.Select((city, i) => Lesson($"weather[{i}]", null, $"weather/{city}")).ToArray();
        MultiFetchA = Lesson("data_a", o.MultiFetch.GetValueOrDefault("A"), "data/a");
        MultiFetchB = Lesson("data_b", o.MultiFetch.GetValueOrDefault("B"), "data/b");
    }

    public UpstreamSource Pricing { get; }
    public UpstreamSource Inventory { get; }
    public UpstreamSource Reco { get; }
    public IReadOnlyList<UpstreamSource> Weather { get; }
    public UpstreamSource MultiFetchA { get; }
    public UpstreamSource MultiFetchB { get; }

    public async ValueTask DisposeAsync()
    {
        foreach (var source in Weather.Append(Pricing).Append(Inventory).Append(Reco).Append(MultiFetchA).Append(MultiFetchB))
            await source.DisposeAsync();
    }
}
