using System.ComponentModel.DataAnnotations;

namespace Storefront.Api.Upstreams;

/// <summary>Where the upstream services live (API.md's <c>Upstreams__*</c> names). Unset: the bundled simulator.</summary>
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

    /// <summary>Deadline for each /weather and /multi-fetch source.</summary>
    [Range(1, 600_000)]
    public int LessonTimeoutMs { get; set; } = 2000;

    public bool NeedsSimulator =>
        Pricing is null || Inventory is null || Reco is null || Weather.Count == 0 ||
        !MultiFetch.ContainsKey("A") || !MultiFetch.ContainsKey("B");

    public IEnumerable<string> Problems()
    {
        var urls = new List<(string Name, string? Url)>
        {
            ("Upstreams:Pricing", Pricing), ("Upstreams:Inventory", Inventory), ("Upstreams:Reco", Reco),
        };
        urls.AddRange(Weather.Select((url, i) => ($"Upstreams:Weather:{i}", (string?)url)));
        urls.AddRange(MultiFetch.Select(p => ($"Upstreams:MultiFetch:{p.Key}", (string?)p.Value)));
        foreach (var (name, url) in urls)
        {
            if (url is not null && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
                yield return $"{name} must be an absolute http or https URL (got '{url}').";
        }
        foreach (var key in MultiFetch.Keys.Where(k => k is not ("A" or "a" or "B" or "b")))
            yield return $"Upstreams:MultiFetch:{key} is not a known source (use A and B).";
    }
}

/// <summary>How the product endpoint treats one source: its deadline, whether the page can do without it, its bulkhead.</summary>
public sealed class SourcePolicy
{
    public int TimeoutMs { get; set; } = 1000;
    public bool Required { get; set; } = true;

    /// <summary>Calls in flight to this source at once (the seed's semaphore).</summary>
    public int MaxConcurrency { get; set; } = 1024;

    /// <summary>Calls allowed to wait for a slot; beyond that a call is rejected at once.</summary>
    public int QueueLimit { get; set; } = 4096;

    public IEnumerable<string> Problems(string name)
    {
        if (TimeoutMs is < 1 or > 600_000) yield return $"Products:{name}:TimeoutMs must be between 1 and 600000.";
        if (MaxConcurrency is < 1 or > 1_000_000) yield return $"Products:{name}:MaxConcurrency must be between 1 and 1000000.";
        if (QueueLimit is < 0 or > 1_000_000) yield return $"Products:{name}:QueueLimit must be between 0 and 1000000.";
    }
}

public sealed class ProductOptions
{
    public const string Section = "Products";

    public SourcePolicy Pricing { get; set; } = new();
    public SourcePolicy Inventory { get; set; } = new();

    /// <summary>Recommendations are nice to have: by default a slow reco service costs 250 ms, not the page.</summary>
    public SourcePolicy Reco { get; set; } = new() { TimeoutMs = 250, Required = false };

    public IEnumerable<string> Problems() =>
        Pricing.Problems("Pricing").Concat(Inventory.Problems("Inventory")).Concat(Reco.Problems("Reco"));
}
