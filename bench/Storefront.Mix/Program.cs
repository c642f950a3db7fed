// The steady load behind scripts/faults: bench/Storefront.Rate's open-loop approach (request i is due at
// start + i / rate whatever happened to the ones before it; its latency counts from when it was due) over a fixed
// mix of requests, so a fault shows as failures and slow seconds rather than as a slower client.
//
//   Storefront.Mix URL --rate 100 --seconds 45 [--timeout 10] [--jobs-wait 60]
//
// Out (stdout, one JSON object a line): {"start_unix_ms"}, one {"second", ...counts} per second of the run, then
// {"jobs_accepted", "jobs_succeeded", "jobs_lost"} after polling every accepted job until it finished or
// --jobs-wait passed.

using System.Diagnostics;
using System.Text.Json;
using Storefront.Bench;
using Storefront.Mix;

if (!MixOptions.TryParse(args, out var options, out var problem))
{
    Console.Error.WriteLine(problem);
    Console.Error.WriteLine("usage: Storefront.Mix URL --rate N --seconds S [--timeout S] [--jobs-wait S]");
    return 2;
}

using var client = LoadTool.Client(2000, TimeSpan.FromSeconds(5), options.Timeout);
client.BaseAddress = options.Url;

var user = await MixUser.CreateAsync(client);
var total = (int)Math.Round(options.Rate * options.Seconds);
var results = new Outcome[total];
var jobs = new System.Collections.Concurrent.ConcurrentBag<string>();
var sends = new List<Task>(total);
var started = Stopwatch.GetTimestamp();
Console.WriteLine(JsonSerializer.Serialize(new { start_unix_ms = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() }));

for (var i = 0; i < total; i++)
{
    var due = started + (long)(i * (double)Stopwatch.Frequency / options.Rate);
    var ahead = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
    if (ahead > TimeSpan.FromMilliseconds(1)) await Task.Delay(ahead);
    sends.Add(SendAsync(i, due));
}
await Task.WhenAll(sends);

foreach (var line in Second.Of(results, options.Rate)) Console.WriteLine(JsonSerializer.Serialize(line));
var (succeeded, pending) = await MixUser.AwaitJobsAsync(client, [.. jobs], TimeSpan.FromSeconds(options.JobsWaitSeconds));
Console.WriteLine(JsonSerializer.Serialize(new
{
    jobs_accepted = jobs.Count, jobs_succeeded = succeeded, jobs_lost = jobs.Count - succeeded, jobs_unfinished = pending,
}));
return 0;

async Task SendAsync(int index, long due)
{
    var outcome = new Outcome { Kind = MixUser.Kind(index) };
    try
    {
        using var request = user.Request(index);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead);
        var body = await response.Content.ReadAsByteArrayAsync();
        outcome.Status = (int)response.StatusCode;
        if (outcome.Status == 202 && MixUser.JobId(body) is { } id) jobs.Add(id);
    }
    catch (TaskCanceledException)
    {
        outcome.Status = Outcome.Timeout;
    }
    catch (HttpRequestException)
    {
        outcome.Status = Outcome.ConnectionError;
    }
    outcome.LatencyMs = Stopwatch.GetElapsedTime(due).TotalMilliseconds;
    results[index] = outcome;
}
