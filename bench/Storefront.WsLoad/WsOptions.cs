using System.Globalization;

namespace Storefront.WsLoad;

internal sealed record EchoOptions(Uri Url, int Connections, double Seconds, double Warmup, TimeSpan Timeout);

internal sealed record FanoutOptions(Uri Url, int Subscribers, int Item, int Changes, int WarmupChanges, Uri Webhook,
    string Secret, int Parallelism, TimeSpan ConnectTimeout, TimeSpan DeliveryTimeout)
{
    public int AllChanges => WarmupChanges + Changes;
}

/// <summary>The command line: a mode, a URL and --name value pairs, as Storefront.Rate reads its own.</summary>
internal static class WsOptions
{
    public const string Usage =
        "usage: Storefront.WsLoad echo URL --connections N --seconds S [--warmup S] [--timeout S]\n" +
        "       Storefront.WsLoad fanout URL --subscribers N --item ID --changes N --webhook URL --secret S\n" +
        "                         [--warmup-changes 1] [--parallel N] [--connect-timeout S] [--delivery-timeout S]\n" +
        "URL is ws:// (or http://, taken as ws://): /ws for echo, /ws/stock for fanout.";

    public static bool TryParseEcho(string[] args, out EchoOptions options, out string problem)
    {
        options = null!;
        if (!TryRead(args, ["--connections", "--seconds", "--warmup", "--timeout"], out var url, out var values, out problem))
            return false;
        var connections = Int(values, "--connections", 0);
        var seconds = Number(values, "--seconds", 0);
        var warmup = Number(values, "--warmup", 1);
        var timeout = Number(values, "--timeout", 10);
        if (connections <= 0 || seconds <= 0 || warmup < 0 || timeout <= 0)
        {
            problem = "echo needs a URL, --connections and --seconds; every number must be positive";
            return false;
        }
        options = new EchoOptions(url, connections, seconds, warmup, TimeSpan.FromSeconds(timeout));
        return true;
    }

    public static bool TryParseFanout(string[] args, out FanoutOptions options, out string problem)
    {
        options = null!;
        string[] names = ["--subscribers", "--item", "--changes", "--warmup-changes", "--webhook", "--secret", "--parallel",
            "--connect-timeout", "--delivery-timeout"];
        if (!TryRead(args, names, out var url, out var values, out problem)) return false;
        var subscribers = Int(values, "--subscribers", 0);
        var item = Int(values, "--item", 0);
        var changes = Int(values, "--changes", 5);
        var warmupChanges = Int(values, "--warmup-changes", 1);
        var parallel = Int(values, "--parallel", 200);
        var connectTimeout = Number(values, "--connect-timeout", 10);
        var deliveryTimeout = Number(values, "--delivery-timeout", 5);
        values.TryGetValue("--secret", out var secret);
        Uri? webhook = null;
        if (values.TryGetValue("--webhook", out var hook) && !Uri.TryCreate(hook, UriKind.Absolute, out webhook))
        {
            problem = $"--webhook is not an absolute URL: {hook}";
            return false;
        }
        // The in_stock values that tell the changes apart are base + change index, base a multiple of 1,000.
        if (subscribers <= 0 || item <= 0 || changes <= 0 || warmupChanges < 0 || changes + warmupChanges > 999 ||
            parallel <= 0 || connectTimeout <= 0 ||
            deliveryTimeout <= 0 || webhook is null || string.IsNullOrEmpty(secret))
        {
            problem = "fanout needs a URL, --subscribers, --item, --webhook and --secret; --changes and " +
                      "--warmup-changes add up to 999 at most; every number must be positive";
            return false;
        }
        options = new FanoutOptions(url, subscribers, item, changes, warmupChanges, webhook, secret, parallel,
            TimeSpan.FromSeconds(connectTimeout), TimeSpan.FromSeconds(deliveryTimeout));
        return true;
    }

    private static bool TryRead(string[] args, string[] names, out Uri url, out Dictionary<string, string> values,
        out string problem)
    {
        url = null!;
        values = [];
        problem = "";
        Uri? parsed = null;
        for (var i = 0; i < args.Length; i++)
        {
            if (names.Contains(args[i]) && i + 1 < args.Length)
            {
                values[args[i]] = args[++i];
            }
            else if (parsed is null && Uri.TryCreate(args[i], UriKind.Absolute, out var candidate))
            {
                parsed = AsWebSocket(candidate);
            }
            else
            {
                problem = $"not understood: {args[i]}";
                return false;
            }
        }
        foreach (var (name, text) in values)
        {
            if (name is "--webhook" or "--secret") continue;
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                problem = $"{name} needs a number, not {text}";
                return false;
            }
        }
        if (parsed is null)
        {
            problem = "a ws:// URL is required";
            return false;
        }
        url = parsed;
        return true;
    }

    private static Uri AsWebSocket(Uri url) => url.Scheme switch
    {
        "http" => new UriBuilder(url) { Scheme = "ws" }.Uri,
        "https" => new UriBuilder(url) { Scheme = "wss" }.Uri,
        _ => url,
    };

    private static double Number(Dictionary<string, string> values, string name, double fallback) =>
        values.TryGetValue(name, out var text) ? double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture) : fallback;

    private static int Int(Dictionary<string, string> values, string name, int fallback) =>
        values.TryGetValue(name, out var text) && int.TryParse(text, CultureInfo.InvariantCulture, out var v) ? v
        : values.ContainsKey(name) ? -1 : fallback;
}
