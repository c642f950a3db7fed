namespace Storefront.Upstreams;

/// <summary>How one simulated route behaves: a base latency, random jitter on top, and a failure rate.</summary>
public sealed record RouteBehavior(int LatencyMs, int JitterMs = 0, double FailureRate = 0)
{
    public static readonly IReadOnlyDictionary<string, RouteBehavior> Defaults = new Dictionary<string, RouteBehavior>
    {
        // The product page's latencies (docs/seeds.md): total ≈ the slowest (reco), never the sum.
        ["pricing"] = new(20),
        ["inventory"] = new(30),
        ["reco"] = new(50),
        ["weather"] = new(80, 20),
        ["data"] = new(60, 20),
    };

    public IEnumerable<string> Validate()
    {
        if (LatencyMs is < 0 or > 600_000) yield return "latency_ms must be between 0 and 600000.";
        if (JitterMs is < 0 or > 600_000) yield return "jitter_ms must be between 0 and 600000.";
        if (FailureRate is < 0 or > 1 || double.IsNaN(FailureRate)) yield return "failure_rate must be between 0 and 1.";
    }
}
