using Storefront.Bench;

namespace Storefront.WsLoad;

internal sealed record EchoOptions(Uri Url, int Connections, double Seconds, double Warmup, TimeSpan Timeout);

internal sealed record FanoutOptions(Uri Url, int Subscribers, int Item, int Changes, int WarmupChanges, Uri Webhook,
    string Secret, TimeSpan ConnectTimeout, TimeSpan DeliveryTimeout)
{
    public int AllChanges => WarmupChanges + Changes;
}

/// <summary>The command line: a mode, then a URL and options (bench/Shared/CommandLine.cs).</summary>
internal static class WsOptions
{
    public const string Usage =
        "usage: Storefront.WsLoad echo URL --connections N --seconds S [--warmup S] [--timeout S]\n" +
        "       Storefront.WsLoad fanout URL --subscribers N --item ID --changes N --webhook URL --secret S\n" +
        "                         [--warmup-changes 1] [--connect-timeout S] [--delivery-timeout S]\n" +
        "URL is ws:// (or http://, taken as ws://): /ws for echo, /ws/stock for fanout.";

    public static bool TryParseEcho(string[] args, out EchoOptions options, out string problem)
    {
        options = null!;
        if (!TryRead(args, ["--connections", "--seconds", "--warmup", "--timeout"], [], out var url, out var line, out problem))
            return false;
        var (connections, seconds, warmup, timeout) = (line.Int("--connections", 0), line.Number("--seconds", 0),
            line.Number("--warmup", 1), line.Number("--timeout", 10));
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
        string[] numbers = ["--subscribers", "--item", "--changes", "--warmup-changes", "--connect-timeout", "--delivery-timeout"];
        if (!TryRead(args, numbers, ["--webhook", "--secret"], out var url, out var line, out problem)) return false;
        var (subscribers, item, changes, warmupChanges) = (line.Int("--subscribers", 0), line.Int("--item", 0),
            line.Int("--changes", 5), line.Int("--warmup-changes", 1));
        var (connectTimeout, deliveryTimeout) = (line.Number("--connect-timeout", 10), line.Number("--delivery-timeout", 5));
        var secret = line.Text("--secret");
        Uri? webhook = null;
        if (line.Text("--webhook") is { } hook && !Uri.TryCreate(hook, UriKind.Absolute, out webhook))
        {
            problem = $"--webhook is not an absolute URL: {hook}";
            return false;
        }
        // The in_stock values that tell the changes apart are base + change index, base a multiple of 1,000.
        if (subscribers <= 0 || item <= 0 || changes <= 0 || warmupChanges < 0 || changes + warmupChanges > 999 ||
            connectTimeout <= 0 || deliveryTimeout <= 0 || webhook is null || string.IsNullOrEmpty(secret))
        {
            problem = "fanout needs a URL, --subscribers, --item, --webhook and --secret; --changes and " +
                      "--warmup-changes add up to 999 at most; every number must be positive";
            return false;
        }
        options = new FanoutOptions(url, subscribers, item, changes, warmupChanges, webhook, secret,
            TimeSpan.FromSeconds(connectTimeout), TimeSpan.FromSeconds(deliveryTimeout));
        return true;
    }

    private static bool TryRead(string[] args, string[] numbers, string[] texts, out Uri url, out CommandLine line,
        out string problem)
    {
        url = null!;
        if (!CommandLine.TryRead(args, numbers, texts, [], out line, out problem)) return false;
        if (line.Url is null)
        {
            problem = "a ws:// URL is required";
            return false;
        }
        url = AsWebSocket(line.Url);
        return true;
    }

    private static Uri AsWebSocket(Uri url) => url.Scheme switch
    {
        "http" => new UriBuilder(url) { Scheme = "ws" }.Uri,
        "https" => new UriBuilder(url) { Scheme = "wss" }.Uri,
        _ => url,
    };
}
