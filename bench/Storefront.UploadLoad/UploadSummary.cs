using System.Diagnostics;
using System.Globalization;
using Storefront.Bench;

namespace Storefront.UploadLoad;

/// <summary>
/// The counted uploads as the WRK_JSON line of bench/wrk/report.lua (and Storefront.Rate, Storefront.WsLoad) where the
/// fields mean the same: requests = uploads sent, rps = uploads answered 2xx a second, latency_ms over the answered ones
/// (send to the last byte of the answer), errors as wrk counts them (status = answered, not 2xx). Added: ok, bytes and
/// mb_per_s (file bytes of the 2xx uploads: 1 MB = 1,000,000 bytes), statuses (every answer's status), the warm-up, the
/// deletes, and this tool's own CPU and peak memory (it shares the machine with the server).
/// </summary>
internal sealed record UploadSummary(string Mode, int Concurrency, int Uploads, int WarmupUploads, long FileBytes, int Requests,
    int Ok, long Bytes, double DurationS, double Rps, double MbPerS, Dictionary<string, double> LatencyMs,
    Dictionary<string, int> Errors, SortedDictionary<string, int> Statuses, int Deleted, int DeleteFailures, double ClientCpuS,
    double ClientPeakRssMb, string? FirstError)
{
    public static UploadSummary Of(UploadOptions options, Outcome[] outcomes, double seconds, double clientCpuS, int deleted,
        int deleteFailures, string? firstError)
    {
        var ok = outcomes.Count(o => o.Kind == OutcomeKind.Ok);
        var bytes = ok * options.FileBytes;
        var answered = outcomes.Where(o => o.Kind is OutcomeKind.Ok or OutcomeKind.Status).Select(o => o.LatencyMs).ToList();
        var errors = LoadTool.Errors(outcomes.Count(o => o.Kind == OutcomeKind.ConnectFailed),
            outcomes.Count(o => o.Kind is OutcomeKind.Failed or OutcomeKind.NotSent), 0,
            outcomes.Count(o => o.Kind == OutcomeKind.Status), outcomes.Count(o => o.Kind == OutcomeKind.Timeout));
        var statuses = new SortedDictionary<string, int>(outcomes.Where(o => o.Status > 0)
            .GroupBy(o => o.Status.ToString(CultureInfo.InvariantCulture)).ToDictionary(g => g.Key, g => g.Count()));
        using var self = Process.GetCurrentProcess();
        return new UploadSummary("upload", options.Concurrency, options.Uploads, options.WarmupUploads, options.FileBytes,
            outcomes.Length, ok, bytes, Math.Round(seconds, 3), Math.Round(ok / seconds, 2), Math.Round(bytes / 1e6 / seconds, 1),
            Latency.Summary(answered), errors, statuses, deleted, deleteFailures, Math.Round(clientCpuS, 3),
            Math.Round(self.PeakWorkingSet64 / 1e6, 1), firstError);
    }
}
