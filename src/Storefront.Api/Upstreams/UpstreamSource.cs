using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;

namespace Storefront.Api.Upstreams;

/// <summary>
/// One upstream service: its address, deadline and bulkhead. A call never throws for an upstream problem;
/// it reports ok/timeout/error/rejected with the time taken. It throws only when the caller's own token
/// is cancelled (the client left), so that nobody waits on an answer nobody will read.
/// </summary>
public sealed class UpstreamSource : IAsyncDisposable
{
    public const string HttpClientName = "upstreams";

    /// <summary>A span per call (bulkhead wait included), under the request's span; free when nobody traces.</summary>
    private static readonly ActivitySource Tracing = new("Storefront.Upstreams");

    private readonly HttpClient _client;
    private readonly Task<string> _baseUrl;
    private readonly TimeSpan _timeout;
    private readonly string _timeoutDetail;
    private readonly string _spanName;
    private readonly Bulkhead _bulkhead;
    private readonly Histogram<double>? _duration;

    public UpstreamSource(string name, Task<string> baseUrl, int timeoutMs, bool required, int maxConcurrency, int queueLimit,
        IHttpClientFactory clients, Histogram<double>? duration = null)
    {
        _duration = duration;
        Name = name;
        Required = required;
        _baseUrl = baseUrl;
        _timeout = TimeSpan.FromMilliseconds(timeoutMs);
        _timeoutDetail = $"no answer within its {timeoutMs} ms deadline";
        _spanName = $"upstream {name}";
        // One client for the source's lifetime: the factory's handler never rotates (infinite handler lifetime),
        // its SocketsHttpHandler recycles connections itself, so asking the factory per call would only allocate.
        _client = clients.CreateClient(HttpClientName);
        _bulkhead = new Bulkhead(maxConcurrency, queueLimit);
    }

    public string Name { get; }

    public bool Required { get; }

    /// <param name="suffix">Appended to the base URL after a slash (the product id), or null for a full URL.</param>
    public Task<SourceResult> FetchAsync(string? suffix, CancellationToken cancellationToken) =>
        Tracing.HasListeners() ? FetchTracedAsync(suffix, cancellationToken) : FetchCoreAsync(suffix, cancellationToken);

    private async Task<SourceResult> FetchTracedAsync(string? suffix, CancellationToken cancellationToken)
    {
        using var activity = Tracing.StartActivity(_spanName);
        var result = await FetchCoreAsync(suffix, cancellationToken);
        if (activity is not null)
        {
            activity.SetTag("storefront.upstream.source", Name);
            activity.SetTag("storefront.upstream.status", result.StatusName);
            if (result.Status != SourceStatus.Ok) activity.SetStatus(ActivityStatusCode.Error, result.Detail);
        }
        return result;
    }

    private async Task<SourceResult> FetchCoreAsync(string? suffix, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_timeout);
        try
        {
            if (!await _bulkhead.EnterAsync(deadline.Token))
                return Result(SourceStatus.Rejected, started, "too many calls in flight and queued");
            try
            {
                var baseUrl = await _baseUrl.WaitAsync(deadline.Token);
                var url = suffix is null ? baseUrl : string.Concat(baseUrl, "/", suffix);
                // Straight into one array (no intermediate buffer copy); MaxResponseContentBufferSize bounds its size.
                var json = RawJson.Validate(await _client.GetByteArrayAsync(url, deadline.Token));
                return Measured(new SourceResult(Name, SourceStatus.Ok, json, ElapsedMs(started), null));
            }
            finally
            {
                _bulkhead.Exit();
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Result(SourceStatus.Timeout, started, _timeoutDetail);
        }
        catch (HttpRequestException ex) when (ex.StatusCode is { } status)
        {
            return Result(SourceStatus.Error, started, $"HTTP {(int)status}");
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

    public ValueTask DisposeAsync()
    {
        _bulkhead.Dispose();
        return ValueTask.CompletedTask;
    }

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
