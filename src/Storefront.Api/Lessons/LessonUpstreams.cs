using Microsoft.Extensions.Options;
using Storefront.Api.Upstreams;

namespace Storefront.Api.Lessons;

/// <summary>
/// The sources of /weather (<c>Upstreams__Weather__N</c>, in order) and /multi-fetch (<c>Upstreams__MultiFetch__A</c>
/// and <c>__B</c>): all required, each under Upstreams__LessonTimeoutMs.
/// </summary>
public sealed class LessonUpstreams
{
    private static readonly string[] SimulatedCities = ["london", "paris", "tokyo"];

    public LessonUpstreams(UpstreamSources sources, IOptions<UpstreamsOptions> options)
    {
        var o = options.Value;
        var policy = new SourcePolicy { TimeoutMs = o.LessonTimeoutMs, Required = true };
        Weather = o.Weather.Count > 0
            ? [.. o.Weather.Select((url, i) => sources.Create($"weather[{i}]", url, "", policy))]
            : [.. SimulatedCities.Select((city, i) => sources.Create($"weather[{i}]", null, $"weather/{city}", policy))];
        MultiFetchA = sources.Create("data_a", o.MultiFetch.GetValueOrDefault("A"), "data/a", policy);
        MultiFetchB = sources.Create("data_b", o.MultiFetch.GetValueOrDefault("B"), "data/b", policy);
    }

    public IReadOnlyList<UpstreamSource> Weather { get; }
    public UpstreamSource MultiFetchA { get; }
    public UpstreamSource MultiFetchB { get; }
}
