using Storefront.Bench;

namespace Storefront.Mix;

internal sealed record MixOptions(Uri Url, double Rate, double Seconds, TimeSpan Timeout, double JobsWaitSeconds)
{
    public static bool TryParse(string[] args, out MixOptions options, out string problem)
    {
        options = null!;
        if (!CommandLine.TryRead(args, ["--rate", "--seconds", "--timeout", "--jobs-wait"], [], [], out var line, out problem))
            return false;
        var (rate, seconds, timeout, jobsWait) = (line.Number("--rate", 0), line.Number("--seconds", 0),
            line.Number("--timeout", 10), line.Number("--jobs-wait", 60));
        if (line.Url is null || rate <= 0 || seconds <= 0 || timeout <= 0 || jobsWait < 0)
        {
            problem = "a URL, --rate and --seconds are required, and every number must be positive";
            return false;
        }
        options = new MixOptions(line.Url, rate, seconds, TimeSpan.FromSeconds(timeout), jobsWait);
        return true;
    }
}
