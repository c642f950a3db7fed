using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Timeout;

namespace Storefront.Api.Upstreams;

/// <summary>
/// One upstream service: its address, its policy and its own client, whose resilience pipeline (UpstreamPipeline)
/// applies the deadline, concurrency limit, retry and circuit breaker. A call never throws for an upstream problem;
/// it reports ok/timeout/error/rejected/open with the time taken. It throws only when the caller's own token is
/// cancelled (the client left), so that nobody waits on an answer nobody will read.
/// </summary>
public sealed class UpstreamSource
{
    /// <summary>A span per call (queueing and retry included), under the request's span; free when nobody traces.</summary>
    private static readonly ActivitySource Tracing = new("Storefront.Upstreams");

    private const string OpenDetail = "its circuit is open after repeated failures";

    private readonly HttpClient _client;
    private readonly Task<string> _baseUrl;
    private readonly SourceCircuit _circuit;
    private readonly string _timeoutDetail;
    private readonly string _spanName;
    private readonly Histogram<double>? _duration;

    /// <param name="client">The source's own named client (<c>AddUpstreamSource</c>), pipeline included.</param>
    public UpstreamSource(string name, Task<string> baseUrl, SourcePolicy policy, HttpClient client, SourceCircuit circuit,
        Histogram<double>? duration = null)
    {
        Name = name;
        Required = policy.Required;
        _baseUrl = baseUrl;
        _client = client;
        _circuit = circuit;
        _duration = duration;
        _timeoutDetail = $"no answer within its {policy.TimeoutMs} ms deadline";
        _spanName = $"upstream {name}";
    }

    public string Name { get; }

    public bool Required { get; }

    /// <summary>
    /// The answer a call would get at once while the circuit is open, without making one: a fan-out checks its required
    /// sources first, so it does not start (and then cancel, which costs an HTTP/1.1 connection) calls to the others.
    /// </summary>
    public SourceResult? RefuseIfOpen() => _circuit.RefusesCalls ? Open(Stopwatch.GetTimestamp()) : null;

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
        try
        {
            var baseUrl = await _baseUrl.WaitAsync(cancellationToken);
            var url = suffix is null ? baseUrl : string.Concat(baseUrl, "/", suffix);
            // The body is already buffered by the pipeline (BodyBufferingHandler); this copies it into one array.
            var json = RawJson.Validate(await _client.GetByteArrayAsync(url, cancellationToken));
            return Measured(new SourceResult(Name, SourceStatus.Ok, json, ElapsedMs(started), null));
        }
        catch (TimeoutRejectedException)
        {
            return Result(SourceStatus.Timeout, started, _timeoutDetail);
        }
        catch (BrokenCircuitException)
        {
            return Open(started);
        }
        catch (RateLimiterRejectedException)
        {
            return Result(SourceStatus.Rejected, started, "too many calls in flight and queued");
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

    private SourceResult Open(long started) =>
        Measured(new SourceResult(Name, SourceStatus.Open, null, ElapsedMs(started), OpenDetail, _circuit.RetryAfterSeconds));

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
