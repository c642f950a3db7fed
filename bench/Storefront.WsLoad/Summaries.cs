using Storefront.Bench;

namespace Storefront.WsLoad;

/// <summary>
/// The echo window as the WRK_JSON line of bench/wrk/report.lua (and Storefront.Rate): a round trip is a request,
/// rps counts the correct answers only, a wrong answer is a "status" error.
/// </summary>
internal sealed record EchoSummary(string Mode, int Connections, int Requests, long Bytes, double DurationS, double Rps,
    Dictionary<string, double> LatencyMs, Dictionary<string, int> Errors, string? FirstError)
{
    public static EchoSummary Of(EchoConnection[] connections, EchoOptions options)
    {
        var latencies = new List<double>(connections.Sum(c => c.LatenciesMs.Count));
        foreach (var c in connections) latencies.AddRange(c.LatenciesMs);
        var errors = LoadTool.Errors(connections.Sum(c => c.ConnectErrors), connections.Sum(c => c.ReadErrors),
            connections.Sum(c => c.WriteErrors), connections.Sum(c => c.WrongAnswers), connections.Sum(c => c.Timeouts));
        return new EchoSummary("echo", options.Connections, connections.Sum(c => c.RoundTrips), connections.Sum(c => c.Bytes),
            options.Seconds, Math.Round(latencies.Count / options.Seconds, 1), Latency.Summary(latencies), errors,
            connections.Select(c => c.FirstError).FirstOrDefault(e => e is not null));
    }
}

/// <summary>
/// The fan-out: the same WRK_JSON fields where they mean the same (requests = pushes delivered in time, latency_ms
/// = delivery latency from just before each POST), plus the subscribers, the changes and what was missed.
/// errors: connect = sockets not opened or not subscribed, read = subscribed sockets lost before the end,
/// status = webhook POSTs not answered 2xx, timeout = expected pushes not delivered within the delivery timeout.
/// changes and expected count the measured changes only, warmup_changes the ones before them; duration_s runs from
/// the first measured POST to the end of the last change; client_cpu_s is this tool's CPU over it. per_change lists
/// every change, warm-up ones included.
/// </summary>
internal sealed record FanoutSummary(string Mode, int Subscribers, int Subscribed, int ConnectFailures, int SubscribeFailures,
    double ConnectS, int Changes, int WarmupChanges, int Expected, int Delivered, int LostSockets, int OtherMessages, int Requests,
    long Bytes, double DurationS, double ClientCpuS, double Rps, Dictionary<string, double> LatencyMs, Dictionary<string, int> Errors,
    List<ChangeSummary> PerChange, string? FirstError);

/// <summary>One change (a warm-up one is not counted): its POST's status and time, and the deliveries of its push
/// within the timeout.</summary>
internal sealed record ChangeSummary(bool Warmup, int InStock, int Status, double PostMs, int Delivered, double P50Ms, double P99Ms,
    double MaxMs);
