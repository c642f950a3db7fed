// WebSocket load for scripts/bench, which wrk and hey cannot give: `echo` round trips in closed loops, and the
// `fanout` of signed inventory events to /ws/stock subscribers. Prints one WRK_JSON line like bench/wrk/report.lua's.
// Options: bench/README.md, "Load tools". Exit status: 0 if something was measured, 1 if nothing was (the reason on
// stderr), 2 on bad arguments.

using Storefront.Bench;
using Storefront.WsLoad;

// Socket completions run on the socket engine's own thread instead of hopping to the thread pool: less CPU per round
// trip for a client that shares the cores with the server it measures. The runtime reads the variable once, when the
// first socket is made; DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0 in the environment keeps the default.
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");

var mode = args.Length > 0 ? args[0] : "";
string[] rest = args.Length > 0 ? args[1..] : [];
string problem;
if (mode == "echo")
{
    if (WsOptions.TryParseEcho(rest, out var echo, out problem))
    {
        var summary = await EchoLoad.RunAsync(echo);
        LoadTool.PrintWrkJson(summary);
        return Report(summary.Requests, summary.FirstError, echo.Url);
    }
}
else if (mode == "fanout")
{
    if (WsOptions.TryParseFanout(rest, out var fanout, out problem))
    {
        using var load = new FanoutLoad(fanout);
        var summary = await load.RunAsync();
        LoadTool.PrintWrkJson(summary);
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
