using System.Text.Json.Serialization;

namespace Storefront.Mix;

internal struct Outcome
{
    public const int Timeout = -1;
    public const int ConnectionError = -2;

    public int Status;
    public double LatencyMs;
    public string Kind;
}

/// <summary>One second of the run, by when its requests were due (so a stall is counted where it began).</summary>
internal sealed record Second(
    [property: JsonPropertyName("second")] int Index,
    [property: JsonPropertyName("total")] int Total,
    [property: JsonPropertyName("ok")] int Ok,
    [property: JsonPropertyName("non2xx")] int Non2xx,
    [property: JsonPropertyName("timeouts")] int Timeouts,
    [property: JsonPropertyName("connection_errors")] int ConnectionErrors,
    [property: JsonPropertyName("max_ms")] double MaxMs,
    [property: JsonPropertyName("statuses")] Dictionary<string, int> Statuses)
{
    public static IEnumerable<Second> Of(Outcome[] outcomes, double rate) =>
        outcomes.Select((o, i) => (Outcome: o, Second: (int)(i / rate)))
            .GroupBy(p => p.Second, p => p.Outcome)
            .Select(g => new Second(g.Key, g.Count(),
                g.Count(o => o.Status is >= 200 and < 300),
                g.Count(o => o.Status >= 300),
                g.Count(o => o.Status == Outcome.Timeout),
                g.Count(o => o.Status == Outcome.ConnectionError),
                Math.Round(g.Max(o => o.LatencyMs), 1),
                g.Where(o => o.Status is < 200 or >= 300).GroupBy(o => $"{Name(o.Status)} on {o.Kind}").ToDictionary(s => s.Key, s => s.Count())));

    private static string Name(int status) => status switch
    {
        Outcome.Timeout => "timeout",
        Outcome.ConnectionError => "connection",
        _ => status.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
