using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Storefront.Api.Diagnostics;

namespace Storefront.Api.Dashboard;

/// <summary>
/// The dashboard's load button (Development only): a few seconds of product fan-outs at a bounded concurrency against
/// the service's own address, and a handful of blocking-probe calls that stall the thread pool long enough for the
/// blocking banner to appear. One burst at a time.
/// </summary>
internal sealed partial class LoadBurst(IHttpClientFactory clients, IServer server, IConfiguration configuration, TimeProvider clock,
    IHostApplicationLifetime lifetime, ILogger<LoadBurst> logger)
{
    public const string ClientName = "dashboard-load";
    public const int Seconds = 5;
    private const int Concurrency = 16;
    private const int ProductIds = 100;

    private int _running;

    public bool IsRunning => Volatile.Read(ref _running) == 1;

    /// <returns>False when a burst is already running.</returns>
    public bool TryStart()
    {
        if (Interlocked.CompareExchange(ref _running, 1, 0) != 0) return false;
        // Not awaited: the burst outlives the request that asked for it; RunAsync catches everything.
        _ = Task.Run(RunAsync);
        return true;
    }

    private async Task RunAsync()
    {
        try
        {
            var client = clients.CreateClient(ClientName);
            client.BaseAddress = OwnAddress();
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(Seconds), clock);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, lifetime.ApplicationStopping);
            var work = Enumerable.Range(0, Concurrency).Select(worker => FanOutAsync(client, worker, stop.Token)).ToList();
            if (configuration.GetValue<bool>(DiagnosticsExtensions.BlockingProbeSetting)) work.Add(BlockAsync(client, stop.Token));
            await Task.WhenAll(work);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(logger, ex);
        }
        catch (OperationCanceledException)
        {
            // The host is stopping.
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    private static async Task FanOutAsync(HttpClient client, int worker, CancellationToken cancellationToken)
    {
        for (var i = worker; !cancellationToken.IsCancellationRequested; i += Concurrency)
        {
            try
            {
                using var response = await client.GetAsync($"/product/{i % ProductIds + 1}", cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    // A second in, so the charts have moved first: more blocking calls than cores, each holding a pool thread 1.5 s,
    // starve the pool until it adds threads; the lag crosses the detector's threshold and the probe is the suspect.
    private async Task BlockAsync(HttpClient client, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(1), clock, cancellationToken);
            await Task.WhenAll(Enumerable.Range(0, Environment.ProcessorCount * 2)
                .Select(_ => client.GetAsync("/_diagnostics/block?ms=1500", cancellationToken)));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The burst's time is up.
        }
    }

    // Kestrel's first address; a wildcard host ("+", "*", 0.0.0.0, [::]) is reached on loopback.
    private Uri OwnAddress()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var address = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) ?? addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The server has no address to send the load to.");
        var uri = new UriBuilder(address.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal));
        if (uri.Host is "0.0.0.0" or "[::]" or "::") uri.Host = "localhost";
        return uri.Uri;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The dashboard's load burst failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
