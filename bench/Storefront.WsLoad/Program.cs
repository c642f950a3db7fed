// WebSocket load for scripts/bench, which wrk and hey cannot give. Prints one WRK_JSON line in the shape of
// bench/wrk/report.lua's (as Storefront.Rate does), so the harness reads it like a wrk window.
//
//   Storefront.WsLoad echo ws://127.0.0.1:5000/ws --connections 100 --seconds 5 [--warmup 1] [--timeout 10]
//       N connections in a closed loop: send a short text message, wait for "Echo: " + it, send again. The first
//       --warmup seconds (connections opening, the client's JIT) are not counted. rps: correct round trips a second.
//       Lines WINDOW_START and WINDOW_END mark the measured window (scripts/bench reads the server's CPU between them).
//
//   Storefront.WsLoad fanout ws://127.0.0.1:5000/ws/stock --subscribers 10000 --item 7 --changes 5
//                     --webhook http://127.0.0.1:5000/inventory/events --secret S
//                     [--warmup-changes 1] [--parallel 200] [--connect-timeout 10] [--delivery-timeout 5]
//       N sockets subscribed to one item (opened --parallel at a time), then --warmup-changes uncounted and --changes
//       counted signed inventory events posted one at a time, each once the last one's pushes all arrived or
//       --delivery-timeout passed. latency_ms: from just before a POST to each subscriber's receipt of its push.
//
// Exit status: 0 if something was measured, 1 if nothing was (the reason on stderr), 2 on bad arguments.

using System.Text.Encodings.Web;
using System.Text.Json;
using Storefront.WsLoad;

// Socket completions run on the socket engine's own thread instead of hopping to the thread pool: about a third less
// CPU per round trip (measured: 31 against 48 µs) for a client that shares 2 cores with the server it measures. The
// runtime reads the variable once, when the first socket is made; DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0
// in the environment keeps the default.
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");

// Relaxed escaping: the first_error text stays readable (no \u0027 for its quotes).
var json = new JsonSerializerOptions
{
    PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
};
var mode = args.Length > 0 ? args[0] : "";
string[] rest = args.Length > 0 ? args[1..] : [];
string problem;
if (mode == "echo")
{
    if (WsOptions.TryParseEcho(rest, out var echo, out problem))
    {
        var summary = await EchoLoad.RunAsync(echo);
        Console.WriteLine("WRK_JSON " + JsonSerializer.Serialize(summary, json));
        return Report(summary.Requests, summary.FirstError, echo.Url);
    }
}
else if (mode == "fanout")
{
    if (WsOptions.TryParseFanout(rest, out var fanout, out problem))
    {
        using var load = new FanoutLoad(fanout);
        var summary = await load.RunAsync();
        Console.WriteLine("WRK_JSON " + JsonSerializer.Serialize(summary, json));
        return Report(summary.Delivered, summary.FirstError, fanout.Url);
    }
}
else
{
    problem = mode is "" or "-h" or "--help" ? "" : $"the mode is echo or fanout, not {mode}";
}
if (problem.Length > 0) Console.Error.WriteLine(problem);
Console.Error.WriteLine(WsOptions.Usage);
return 2;

static int Report(int measured, string? firstError, Uri url)
{
    if (firstError is not null) Console.Error.WriteLine($"first error: {firstError}");
    if (measured > 0) return 0;
    Console.Error.WriteLine($"nothing measured on {url}" +
        (firstError?.Contains("'404'", StringComparison.Ordinal) == true ? ": the server does not serve this path (404)" : ""));
    return 1;
}
