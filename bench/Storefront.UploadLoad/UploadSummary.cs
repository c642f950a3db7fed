using System.Diagnostics;
using System.Globalization;

namespace Storefront.UploadLoad;

/// <summary>
/// The counted uploads as the WRK_JSON line of bench/wrk/report.lua (and Storefront.Rate, Storefront.WsLoad) where the
/// fields mean the same: requests = uploads sent, rps = uploads answered 2xx a second, latency_ms over the answered ones
/// (send to the last byte of the answer), errors as wrk counts them (status = answered, not 2xx). Added: ok, bytes and
/// mb_per_s (file bytes of the 2xx uploads: 1 MB = 1,000,000 bytes), statuses (every answer's status), the warm-up, the
/// deletes, and this tool's own CPU and peak memory (it shares the machine with the server).
/// </summary>
internal sealed record UploadSummary(
    string Mode,
    int Concurrency,
    int Uploads,
    int WarmupUploads,
    long FileBytes,
    int Requests,
    int Ok,
    long Bytes,
    double DurationS,
    double Rps,
    double MbPerS,
    Dictionary<string, double> LatencyMs,
    Dictionary<string, int> Errors,
    SortedDictionary<string, int> Statuses,
    int Deleted,
    int DeleteFailures,
    double ClientCpuS,
    double ClientPeakRssMb,
    string? FirstError)
{
    public static UploadSummary Of(UploadOptions options, Outcome[] outcomes, double seconds, double clientCpuS, int deleted,
        int deleteFailures, string? firstError)
    {
        var ok = outcomes.Count(o => o.Kind == OutcomeKind.Ok);
        var bytes = ok * options.FileBytes;
        var answered = outcomes.Where(o => o.Kind is OutcomeKind.Ok or OutcomeKind.Status).Select(o => o.LatencyMs).ToList();
        var errors = new Dictionary<string, int>
        {
            ["connect"] = outcomes.Count(o => o.Kind == OutcomeKind.ConnectFailed),
            ["read"] = outcomes.Count(o => o.Kind is OutcomeKind.Failed or OutcomeKind.NotSent),
            ["write"] = 0,
            ["status"] = outcomes.Count(o => o.Kind == OutcomeKind.Status),
            ["timeout"] = outcomes.Count(o => o.Kind == OutcomeKind.Timeout),
        };
        var statuses = new SortedDictionary<string, int>(outcomes.Where(o => o.Status > 0)
            .GroupBy(o => o.Status.ToString(CultureInfo.InvariantCulture)).ToDictionary(g => g.Key, g => g.Count()));
        using var self = Process.GetCurrentProcess();
        return new UploadSummary("upload", options.Concurrency, options.Uploads, options.WarmupUploads, options.FileBytes,
            outcomes.Length, ok, bytes, Math.Round(seconds, 3), Math.Round(ok / seconds, 2), Math.Round(bytes / 1e6 / seconds, 1),
            Latency.Summary(answered), errors, statuses, deleted, deleteFailures, Math.Round(clientCpuS, 3),
            Math.Round(self.PeakWorkingSet64 / 1e6, 1), firstError);
    }
}

internal static class Latency
{
    /// <summary>bench/wrk/report.lua's latency_ms object (mean, stdev, p50, p90, p99, max) of values in ms.</summary>
    public static Dictionary<string, double> Summary(List<double> values)
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

    // Nearest rank on sorted values, as wrk, Storefront.Rate and Storefront.WsLoad report them.
    private static double Percentile(double[] sorted, double percent)
    {
        if (sorted.Length == 0) return 0;
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Length);
        return Math.Round(sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)], 3);
    }
}
