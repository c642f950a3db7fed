namespace Storefront.Bench;

internal static class Latency
{
    /// <summary>bench/wrk/report.lua's latency_ms object (mean, stdev, p50, p90, p99, max) of values in ms.</summary>
    public static Dictionary<string, double> Summary(IEnumerable<double> values)
    {
        var sorted = values.ToArray();
        Array.Sort(sorted);
        var mean = sorted.Length == 0 ? 0 : sorted.Average();
        var stdev = sorted.Length == 0 ? 0 : Math.Sqrt(sorted.Sum(v => (v - mean) * (v - mean)) / sorted.Length);
        return new Dictionary<string, double>
        {
            ["mean"] = Math.Round(mean, 3),
            ["stdev"] = Math.Round(stdev, 3),
            ["p50"] = Percentile(sorted, 50),
            ["p90"] = Percentile(sorted, 90),
            ["p99"] = Percentile(sorted, 99),
            ["max"] = sorted.Length == 0 ? 0 : Math.Round(sorted[^1], 3),
        };
    }

    // Nearest rank on sorted values, as wrk reports them.
    public static double Percentile(double[] sorted, double percent)
    {
        if (sorted.Length == 0) return 0;
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Length);
        return Math.Round(sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)], 3);
    }

    public static double Ms(long fromTimestamp, long toTimestamp) =>
        (toTimestamp - fromTimestamp) * 1000.0 / System.Diagnostics.Stopwatch.Frequency;
}
