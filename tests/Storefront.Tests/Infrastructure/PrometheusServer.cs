using System.Diagnostics;
using System.Globalization;

namespace Storefront.Tests.Infrastructure;

/// <summary>
/// A real Prometheus (Debian's package, installed by scripts/test) on a free loopback port in a temp folder, scraping
/// one target every second. There is deliberately no fallback: without the binary these tests fail.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;
    private readonly System.Text.StringBuilder _output = new();

    private PrometheusServer(Process process, string folder, Uri address)
    {
        _process = process;
        _folder = folder;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
    }

    public HttpClient Client { get; }

    public static async Task<PrometheusServer> StartAsync(Uri target, string job)
    {
        var binary = TestServers.Prometheus;

        var folder = Directory.CreateTempSubdirectory("storefront-prometheus-").FullName;
        var config = Path.Combine(folder, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: {job}
                static_configs:
                  - targets: ['{target.Authority}']
            """);
        var port = ServiceProcess.FreePort();
        var start = new ProcessStartInfo(binary,
        [
            $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(folder, "data")}",
            $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn",
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var server = new PrometheusServer(ProcessGroups.Start(start), folder, new Uri($"http://127.0.0.1:{port}"));
        server._process.OutputDataReceived += (_, e) => server.Append(e.Data);
        server._process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();

        try
        {
            // Refused connections and client timeouts mean "still starting"; an exit ends the wait at once.
            await Eventually.TrueAsync(async () =>
            {
                if (server._process.HasExited) throw new InvalidOperationException($"Prometheus exited at startup:\n{server.Output}");
                return (await server.Client.GetAsync("/-/ready")).IsSuccessStatusCode;
            }, TimeSpan.FromSeconds(60), "Prometheus is ready", typeof(HttpRequestException), typeof(TaskCanceledException));
        }
        catch (TimeoutException e)
        {
            await server.DisposeAsync();
            throw new TimeoutException($"{e.Message} Prometheus's output:\n{server.Output}", e);
        }
        return server;
    }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>Runs an instant PromQL query; the value of each series in the result.</summary>
    public async Task<IReadOnlyList<double>> QueryAsync(string promql)
    {
        using var response = await Client.GetAsync("/api/v1/query?query=" + Uri.EscapeDataString(promql));
        response.EnsureSuccessStatusCode();
        var body = (await response.Content.ReadFromJsonAsync<QueryAnswer>(HttpAssertions.Answers))!;
        Assert.Equal("success", body.Status);
        // A sample is [unix time, "value"]: the value is a string, so that NaN and infinities can be written.
        return [.. body.Data.Result.Select(series => double.Parse(series.Value[1].GetString()!, CultureInfo.InvariantCulture))];
    }

    /// <summary>Prometheus's answer to an instant query (its HTTP API), as far as the tests read it.</summary>
    private sealed record QueryAnswer(string Status, QueryData Data);

    private sealed record QueryData(IReadOnlyList<QuerySeries> Result);

    private sealed record QuerySeries(JsonElement[] Value);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await ProcessGroups.KillAsync(_process);
        _process.Dispose();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } // Best effort: a temp folder.
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }
}
