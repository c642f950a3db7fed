using Storefront.Bench;

namespace Storefront.Rate;

internal enum OutcomeKind { NotSent, Ok, Status, Timeout, Failed }

internal struct Outcome
{
    public OutcomeKind Kind;
    public double LatencyMs;
    public long Bytes;
    public int Status;
    public double DoneMs;   // when the answer came, from the run's start
}

/// <summary>The WRK_JSON line of bench/wrk/report.lua; answered requests only in the latencies, as wrk does.</summary>
internal sealed record Summary(int Requests, long Bytes, double DurationS, double Rps, Dictionary<string, double> LatencyMs,
    Dictionary<string, int> Errors, int ClientLateStarts, int Ok, int OkInWindow, Dictionary<string, double> OkLatencyMs)
{
    /// <param name="okInWindow">2xx answers (to any request, warm-up ones included) that came within the counted
    /// window: the server's rate of useful answers then, where <c>ok</c> also counts answers that came long after.</param>
    public static Summary Of(Outcome[] outcomes, double seconds, int lateStarts, int okInWindow)
    {
        var answered = outcomes.Where(o => o.Kind is OutcomeKind.Ok or OutcomeKind.Status).Select(o => o.LatencyMs).ToArray();
        var errors = LoadTool.Errors(0, outcomes.Count(o => o.Kind is OutcomeKind.Failed or OutcomeKind.NotSent), 0,
            outcomes.Count(o => o.Kind == OutcomeKind.Status), outcomes.Count(o => o.Kind == OutcomeKind.Timeout));
        errors["status_503"] = outcomes.Count(o => o.Status == 503);
        // The 2xx answers apart: under overload the refusals are fast, and would hide the admitted requests' latency.
        var ok = outcomes.Where(o => o.Kind == OutcomeKind.Ok).Select(o => o.LatencyMs).Order().ToArray();
        var okLatency = new Dictionary<string, double>
        {
            ["p50"] = Latency.Percentile(ok, 50),
            ["p90"] = Latency.Percentile(ok, 90),
            ["p99"] = Latency.Percentile(ok, 99),
            ["max"] = ok.Length == 0 ? 0 : Math.Round(ok[^1], 3),
        };
        return new Summary(outcomes.Length, outcomes.Sum(o => o.Bytes), seconds, Math.Round(answered.Length / seconds, 1),
            Latency.Summary(answered), errors, lateStarts, ok.Length, okInWindow, okLatency);
    }
}
