using System.Globalization;

namespace Storefront.Rate;

internal sealed record RateOptions(Uri Url, double Rate, double Seconds, double Warmup, int MaxConnections, TimeSpan Timeout,
    HttpMethod Method, string? BodyFile, bool Raw)
{
    public static bool TryParse(string[] args, out RateOptions options, out string problem)
    {
        options = null!;
        problem = "";
        Uri? url = null;
        double rate = 0, seconds = 0, warmup = 1, timeout = 10;
        int maxConnections = 2000;
        var method = HttpMethod.Get;
        string? body = null;
        var raw = false;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--rate" when Number(value, out rate): i++; break;
                case "--seconds" when Number(value, out seconds): i++; break;
                case "--timeout" when Number(value, out timeout): i++; break;
                case "--warmup" when Number(value, out warmup): i++; break;
                case "--max-connections" when int.TryParse(value, CultureInfo.InvariantCulture, out maxConnections): i++; break;
                case "--method" when value is not null: method = new HttpMethod(value); i++; break;
                case "--body" when value is not null: body = value; i++; break;
                case "--raw": raw = true; break;
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
        if (url is null || rate <= 0 || seconds <= 0 || warmup < 0 || timeout <= 0 || maxConnections <= 0)
        {
            problem = "a URL, --rate and --seconds are required, and every number must be positive";
            return false;
        }
        if (body is not null && !File.Exists(body))
        {
            problem = $"no such body file: {body}";
            return false;
        }
        if (raw && (body is not null || method != HttpMethod.Get || url.Scheme != "http"))
        {
            problem = "--raw sends plain-HTTP GET requests only";
            return false;
        }
        options = new RateOptions(url, rate, seconds, warmup, maxConnections, TimeSpan.FromSeconds(timeout), method, body, raw);
        return true;
    }

    private static bool Number(string? text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
}
