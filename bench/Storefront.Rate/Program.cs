// Open-loop load at a fixed rate: request i is due at start + i / rate whatever happened to the ones before it, and
// its latency counts from when it was due, so a server that stalls shows in the percentiles instead of slowing the
// client down (wrk's "coordinated omission"). The first --warmup seconds are not counted (the client's JIT, its
// connections). Prints one WRK_JSON line like bench/wrk/report.lua's. Options: bench/README.md, "Load tools".

using System.Diagnostics;
using Storefront.Bench;
using Storefront.Rate;

if (!RateOptions.TryParse(args, out var options, out var problem))
{
    Console.Error.WriteLine(problem);
    Console.Error.WriteLine("usage: Storefront.Rate URL --rate N --seconds S [--warmup S] [--max-connections N] [--timeout S] [--raw]");
    return 2;
}

using var client = LoadTool.Client(options.MaxConnections, TimeSpan.FromSeconds(5), options.Timeout);

var warmup = (int)Math.Round(options.Rate * options.Warmup);
var total = warmup + (int)Math.Round(options.Rate * options.Seconds);
var results = new Outcome[total];
var sends = new List<Task>(total);
var lateStarts = 0;
var started = Stopwatch.GetTimestamp();
var raw = options.Raw ? new RawClient(options.Url, options.MaxConnections, options.Timeout, results, started) : null;

for (var i = 0; i < total; i++)
{
    var due = started + (long)(i * (double)Stopwatch.Frequency / options.Rate);
    var ahead = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
    // Task.Delay's resolution is about a millisecond: requests due within it go out together.
    if (ahead > TimeSpan.FromMilliseconds(1)) await Task.Delay(ahead);
    else if (ahead < TimeSpan.FromMilliseconds(-5) && i >= warmup) lateStarts++; // The client could not keep the rate.
    if (raw is not null) raw.Send(i, due);
    else sends.Add(SendAsync(i, due));
}
await (raw?.AllDone ?? Task.WhenAll(sends));

var windowMs = (options.Warmup * 1000, (options.Warmup + options.Seconds) * 1000);
var okInWindow = results.Count(o => o.Kind == OutcomeKind.Ok && o.DoneMs >= windowMs.Item1 && o.DoneMs <= windowMs.Item2);
LoadTool.PrintWrkJson(Summary.Of(results[warmup..], options.Seconds, lateStarts, okInWindow));
return 0;

async Task SendAsync(int index, long due)
{
    var outcome = new Outcome();
    try
    {
        using var response = await client.GetAsync(options.Url, HttpCompletionOption.ResponseContentRead);
        outcome.Bytes = (await response.Content.ReadAsByteArrayAsync()).Length;
        outcome.Kind = response.IsSuccessStatusCode ? OutcomeKind.Ok : OutcomeKind.Status;
        outcome.Status = (int)response.StatusCode;
    }
    catch (TaskCanceledException)
    {
        outcome.Kind = OutcomeKind.Timeout;
    }
    catch (HttpRequestException)
    {
        outcome.Kind = OutcomeKind.Failed;
    }
    outcome.LatencyMs = Stopwatch.GetElapsedTime(due).TotalMilliseconds;
    outcome.DoneMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    results[index] = outcome;
}
