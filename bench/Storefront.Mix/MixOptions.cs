using System.Globalization;

namespace Storefront.Mix;

internal sealed record MixOptions(Uri Url, double Rate, double Seconds, TimeSpan Timeout, double JobsWaitSeconds)
{
    public static bool TryParse(string[] args, out MixOptions options, out string problem)
    {
        options = null!;
        problem = "";
        Uri? url = null;
        double rate = 0, seconds = 0, timeout = 10, jobsWait = 60;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--rate" when Number(value, out rate): i++; break;
                case "--seconds" when Number(value, out seconds): i++; break;
                case "--timeout" when Number(value, out timeout): i++; break;
                case "--jobs-wait" when Number(value, out jobsWait): i++; break;
                default:
                    if (url is null && Uri.TryCreate(args[i], UriKind.Absolute, out var parsed)) url = parsed;
                    else
                    {
                        problem = $"not understood: {args[i]}";
                        return false;
                    }
                    break;
            }
        }
        if (url is null || rate <= 0 || seconds <= 0 || timeout <= 0 || jobsWait < 0)
        {
            problem = "a URL, --rate and --seconds are required, and every number must be positive";
            return false;
        }
        options = new MixOptions(url, rate, seconds, TimeSpan.FromSeconds(timeout), jobsWait);
        return true;
    }

    private static bool Number(string? text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
}
