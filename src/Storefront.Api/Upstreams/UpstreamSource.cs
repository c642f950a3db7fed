using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Threading.RateLimiting;
using Storefront.Api.Http;

namespace Storefront.Api.Upstreams;

/// <summary>
/// One upstream service: its address, deadline and bulkhead. A call never throws for an upstream problem;
/// it reports ok/timeout/error/rejected with the time taken. It throws only when the caller's own token
/// is cancelled (the client left), so that nobody waits on an answer nobody will read.
/// </summary>
public sealed class UpstreamSource : IAsyncDisposable
{
    public const string HttpClientName = "upstreams";

    private readonly IHttpClientFactory _clients;
    private readonly Task<string> _baseUrl;
    private readonly TimeSpan _timeout;
    private readonly ConcurrencyLimiter _limiter;
    private readonly Histogram<double>? _duration;

    public UpstreamSource(string name, Task<string> baseUrl, int timeoutMs, bool required, int maxConcurrency, int queueLimit,
        IHttpClientFactory clients, Histogram<double>? duration = null)
    {
        _duration = duration;
        Name = name;
        Required = required;
        _baseUrl = baseUrl;
        _timeout = TimeSpan.FromMilliseconds(timeoutMs);
        _clients = clients;
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = maxConcurrency,
            QueueLimit = queueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    public string Name { get; }

    public bool Required { get; }

    /// <summary>Calls waiting for a slot right now (for metrics and tests).</summary>
    public long Queued => _limiter.GetStatistics()?.CurrentQueuedCount ?? 0;

    /// <param name="suffix">Appended to the base URL after a slash (the product id), or null for a full URL.</param>
    public async Task<SourceResult> FetchAsync(string? suffix, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_timeout);
        try
        {
            using var lease = await _limiter.AcquireAsync(1, deadline.Token);
            if (!lease.IsAcquired)
                return Result(SourceStatus.Rejected, started, "too many calls in flight and queued");

            var baseUrl = await _baseUrl.WaitAsync(deadline.Token);
            var url = suffix is null ? baseUrl : string.Concat(baseUrl, "/", suffix);
            // Buffered read: MaxResponseContentBufferSize bounds what an upstream can make us hold.
            using var response = await _clients.CreateClient(HttpClientName).GetAsync(url, deadline.Token);
            if (!response.IsSuccessStatusCode)
                return Result(SourceStatus.Error, started, $"HTTP {(int)response.StatusCode}");
            await using var body = await response.Content.ReadAsStreamAsync(deadline.Token);
            var json = await JsonSerializer.DeserializeAsync(body, AppJsonContext.Default.JsonElement, deadline.Token);
            return Measured(new SourceResult(Name, SourceStatus.Ok, json, ElapsedMs(started), null));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Result(SourceStatus.Timeout, started, null);
        }
        catch (HttpRequestException ex)
        {
            return Result(SourceStatus.Error, started, ex.HttpRequestError switch
            {
                HttpRequestError.ConfigurationLimitExceeded => "response too large",
                HttpRequestError.Unknown => "request failed",
                var error => $"{error}",
            });
        }
        catch (JsonException)
        {
            return Result(SourceStatus.Error, started, "response is not JSON");
        }
    }

    public ValueTask DisposeAsync() => _limiter.DisposeAsync();

    private SourceResult Result(SourceStatus status, long started, string? detail) =>
        Measured(new SourceResult(Name, status, null, ElapsedMs(started), detail));

    private SourceResult Measured(SourceResult result)
    {
        _duration?.Record(result.Ms / 1000, new KeyValuePair<string, object?>("source", Name),
            new KeyValuePair<string, object?>("status", result.StatusName));
        return result;
    }

    private static double ElapsedMs(long started) => Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1);
}
