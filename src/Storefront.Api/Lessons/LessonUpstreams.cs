using Storefront.Api.Upstreams;

namespace Storefront.Api.Lessons;

/// <summary>
/// The sources of /weather (<c>Upstreams__Weather__N</c>, in order) and /multi-fetch (<c>Upstreams__MultiFetch__A</c>
/// and <c>__B</c>): each optional, under Upstreams__LessonTimeoutMs, with the default retry and breaker settings.
/// </summary>
public sealed class LessonUpstreams
{
    private static readonly string[] SimulatedCities = ["london", "paris", "tokyo"];
    private const string DataA = "data_a", DataB = "data_b";

    public LessonUpstreams(UpstreamSources sources, IOptions<UpstreamsOptions> options)
    {
        var o = options.Value;
        Weather = o.Weather.Count > 0
            ? [.. o.Weather.Select((url, i) => sources.Create(WeatherName(i), url, ""))]
            : [.. SimulatedCities.Select((city, i) => sources.Create(WeatherName(i), null, $"weather/{city}"))];
        MultiFetchA = sources.Create(DataA, o.MultiFetch.GetValueOrDefault("A"), "data/a");
        MultiFetchB = sources.Create(DataB, o.MultiFetch.GetValueOrDefault("B"), "data/b");
    }

    public IReadOnlyList<UpstreamSource> Weather { get; }
    public UpstreamSource MultiFetchA { get; }
    public UpstreamSource MultiFetchB { get; }

    /// <summary>
    /// Every source's name, known before the host is built (each gets a client of its own). Bound the way the options
    /// will be, so the count of /weather sources is the same here as in the constructor.
    /// </summary>
    public static IEnumerable<string> SourceNames(IConfiguration configuration)
    {
        var configured = configuration.GetSection(UpstreamsOptions.Section).Get<UpstreamsOptions>()?.Weather.Count ?? 0;
        var weather = configured > 0 ? configured : SimulatedCities.Length;
        return Enumerable.Range(0, weather).Select(WeatherName).Append(DataA).Append(DataB);
    }

    public static SourcePolicy Policy(IServiceProvider services) => new()
    {
        TimeoutMs = services.GetRequiredService<IOptions<UpstreamsOptions>>().Value.LessonTimeoutMs,
        Required = false,
    };

    private static string WeatherName(int index) => $"weather[{index}]";
}
