using System.Text.Encodings.Web;
using System.Text.Json;

namespace Storefront.Bench;

/// <summary>What every load tool does the same way: its HttpClient and its WRK_JSON line.</summary>
internal static class LoadTool
{
    // bench/wrk/report.lua's snake_case names; relaxed escaping keeps a first_error's quotes readable.
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Pooled connections up to <paramref name="maxConnections"/>; no proxy, cookies or tracing headers.</summary>
    public static HttpClient Client(int maxConnections, TimeSpan connectTimeout, TimeSpan timeout) =>
        new(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnections,
            ConnectTimeout = connectTimeout,
            UseCookies = false,
            UseProxy = false,
            ActivityHeadersPropagator = null,
        })
        { Timeout = timeout };

    public static void PrintWrkJson(object summary) =>
        Console.WriteLine("WRK_JSON " + JsonSerializer.Serialize(summary, summary.GetType(), Json));

    /// <summary>report.lua's errors object.</summary>
    public static Dictionary<string, int> Errors(int connect, int read, int write, int status, int timeout) => new()
    {
        ["connect"] = connect,
        ["read"] = read,
        ["write"] = write,
        ["status"] = status,
        ["timeout"] = timeout,
    };
}
