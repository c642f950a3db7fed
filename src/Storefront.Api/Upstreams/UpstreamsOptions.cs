namespace Storefront.Api.Upstreams;

/// <summary>Where the upstream services live (API.md's <c>Upstreams__*</c> names). Unset: the bundled simulator (see <see cref="UseSimulator"/>).</summary>
public sealed class UpstreamsOptions
{
    public const string Section = "Upstreams";

    /// <summary>Base URLs: the service calls <c>GET {base}/{id}</c>.</summary>
    public string? Pricing { get; set; }
    public string? Inventory { get; set; }
    public string? Reco { get; set; }

    /// <summary>Full URLs of the /weather sources, answered in this order.</summary>
    public List<string> Weather { get; set; } = [];

    /// <summary>Full URLs of the /multi-fetch sources A and B.</summary>
    public Dictionary<string, string> MultiFetch { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Largest upstream body accepted; a bigger one counts as that source failing.</summary>
    [Range(1024, 64 << 20)]
    public int MaxResponseBytes { get; set; } = 1 << 20;

    /// <summary>Deadline for each /weather and /multi-fetch source (at least 10 ms: the resilience library's floor).</summary>
    [Range(10, 600_000)]
    public int LessonTimeoutMs { get; set; } = 2000;

    /// <summary>
    /// Outside Development an unset address stops startup unless this is true: the bundled simulator then
    /// answers for every unset one (demos, tests, scripts). In Development it always may.
    /// </summary>
    public bool UseSimulator { get; set; }

    public bool NeedsSimulator => MissingSettings().Any();

    /// <summary>The unset addresses, by their environment-variable names. /weather needs at least one source.</summary>
    public IEnumerable<string> MissingSettings()
    {
        if (Pricing is null) yield return "Upstreams__Pricing";
        if (Inventory is null) yield return "Upstreams__Inventory";
        if (Reco is null) yield return "Upstreams__Reco";
        if (Weather.Count == 0) yield return "Upstreams__Weather__0";
        if (!MultiFetch.ContainsKey("A")) yield return "Upstreams__MultiFetch__A";
        if (!MultiFetch.ContainsKey("B")) yield return "Upstreams__MultiFetch__B";
    }

    /// <summary>Every configuration problem, each naming its setting as an operator would set it.</summary>
    public IEnumerable<string> Problems(bool simulatorAllowed)
    {
        var urls = new List<(string Name, string? Url)>
        {
            ("Upstreams__Pricing", Pricing), ("Upstreams__Inventory", Inventory), ("Upstreams__Reco", Reco),
        };
        urls.AddRange(Weather.Select((url, i) => ($"Upstreams__Weather__{i}", (string?)url)));
        urls.AddRange(MultiFetch.Select(p => ($"Upstreams__MultiFetch__{p.Key}", (string?)p.Value)));
        foreach (var (name, url) in urls)
        {
            if (url is not null && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
                yield return $"{name} must be an absolute http or https URL (got '{url}')";
        }
        foreach (var key in MultiFetch.Keys.Where(k => k is not ("A" or "a" or "B" or "b")))
            yield return $"Upstreams__MultiFetch__{key} is not a known source (use A and B)";
        var missing = MissingSettings().ToList();
        if (simulatorAllowed || missing.Count == 0) yield break;
        var (verb, pronoun) = missing.Count == 1 ? ("is", "it") : ("are", "them");
        yield return $"{string.Join(", ", missing)} {verb} not set; set {pronoun}, or Upstreams__UseSimulator=true to use the bundled simulator";
    }
}

/// <summary>
/// Startup check with every problem in the message (a fixed <c>.Validate(..., message)</c> would hide which
/// setting is wrong). Outside Development a missing address is a mistake unless the simulator was asked for.
/// </summary>
internal sealed class UpstreamsOptionsValidator(IHostEnvironment environment) : IValidateOptions<UpstreamsOptions>
{
    public ValidateOptionsResult Validate(string? name, UpstreamsOptions options)
    {
        var problems = options.Problems(simulatorAllowed: options.UseSimulator || environment.IsDevelopment()).ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
