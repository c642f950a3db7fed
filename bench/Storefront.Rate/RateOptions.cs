using Storefront.Bench;

namespace Storefront.Rate;

internal sealed record RateOptions(Uri Url, double Rate, double Seconds, double Warmup, int MaxConnections, TimeSpan Timeout,
    bool Raw)
{
    public static bool TryParse(string[] args, out RateOptions options, out string problem)
    {
        options = null!;
        if (!CommandLine.TryRead(args, ["--rate", "--seconds", "--warmup", "--max-connections", "--timeout"],
                [], ["--raw"], out var line, out problem))
            return false;
        var (url, rate, seconds, warmup, timeout) = (line.Url, line.Number("--rate", 0), line.Number("--seconds", 0),
            line.Number("--warmup", 1), line.Number("--timeout", 10));
        var maxConnections = line.Int("--max-connections", 2000);
        if (url is null || rate <= 0 || seconds <= 0 || warmup < 0 || timeout <= 0 || maxConnections <= 0)
        {
            problem = "a URL, --rate and --seconds are required, and every number must be positive";
            return false;
        }
        if (line.Has("--raw") && url.Scheme != "http")
        {
            problem = "--raw sends plain-HTTP requests only";
            return false;
        }
        options = new RateOptions(url, rate, seconds, warmup, maxConnections, TimeSpan.FromSeconds(timeout), line.Has("--raw"));
        return true;
    }
}
