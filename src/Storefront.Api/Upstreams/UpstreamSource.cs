using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using System.Threading.RateLimiting;
using Polly;
using Polly.CircuitBreaker;

namespace Storefront.Api.Upstreams;

/// <summary>
/// One upstream service: its address, its policy, its own client, and its resilience pipeline (UpstreamPipeline) run
/// around each call: the deadline, the concurrency limit, one retry, the circuit breaker. A call never throws for an
/// upstream problem; it reports ok/timeout/error/rejected/open with the time taken. It throws only when the caller's own
/// token is cancelled (the client left), so that nobody waits on an answer nobody will read.
/// </summary>
public sealed class UpstreamSource : IDisposable
{
    /// <summary>A span per call (queueing and retry included), under the request's span; free when nobody traces.</summary>
    private static readonly ActivitySource Tracing = new("Storefront.Upstreams");

    private const string OpenDetail = "its circuit is open after repeated failures";

    private readonly HttpClient _client;
    private readonly Task<string> _baseUrl;
    private readonly SourcePolicy _policy;
    private readonly TimeSpan _deadline;
    private readonly TimeSpan _longestPause;
    private readonly ConcurrencyLimiter _limiter;
    private readonly ResiliencePipeline<RawJson> _breaker;
    private readonly SourceCircuit _circuit;
    private readonly TimeProvider _clock;
    private readonly string _timeoutDetail;
    private readonly string _spanName;
    private readonly Histogram<double>? _duration;

    /// <param name="client">The source's own named client (<c>AddUpstreamSource</c>): its own connection pool.</param>
    /// <param name="clock">The clock of the deadline, the retry's pause and the circuit's break.</param>
    public UpstreamSource(string name, Task<string> baseUrl, SourcePolicy policy, HttpClient client, SourceCircuit circuit,
        TimeProvider clock, Histogram<double>? duration = null)
    {
        Name = name;
        Required = policy.Required;
        _baseUrl = baseUrl;
        _policy = policy;
        _client = client;
        _circuit = circuit;
        _clock = clock;
        _deadline = TimeSpan.FromMilliseconds(policy.TimeoutMs);
        _longestPause = UpstreamPipeline.LongestPause(policy);
        _limiter = UpstreamPipeline.Limiter(policy);
        _breaker = UpstreamPipeline.Breaker(policy, circuit, clock);
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
    /// <param name="siblings">
    /// A fan-out's shared token source, cancelled when this source is required and fails, so the other calls stop at
    /// once (here rather than in a wrapper around each call, which would cost the page an async layer per call).
    /// </param>
    public Task<SourceResult> FetchAsync(string? suffix, CancellationToken cancellationToken, CancellationTokenSource? siblings = null) =>
        Tracing.HasListeners()
            ? FetchTracedAsync(suffix, siblings, cancellationToken)
            : FetchCoreAsync(suffix, siblings, cancellationToken);

    private async Task<SourceResult> FetchTracedAsync(string? suffix, CancellationTokenSource? siblings, CancellationToken cancellationToken)
    {
        using var activity = Tracing.StartActivity(_spanName);
        var result = await FetchCoreAsync(suffix, siblings, cancellationToken);
        if (activity is not null)
        {
            activity.SetTag("storefront.upstream.source", Name);
            activity.SetTag("storefront.upstream.status", result.StatusName);
            if (result.Status != SourceStatus.Ok) activity.SetStatus(ActivityStatusCode.Error, result.Detail);
        }
        return result;
    }

    private async Task<SourceResult> FetchCoreAsync(string? suffix, CancellationTokenSource? siblings, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        if (_circuit.RefusesCalls) return Failed(Open(started), siblings); // Before queueing for a slot it would not use.
        var attemptStarted = _clock.GetTimestamp();
        // The deadline covers the wait for a slot, both attempts, the pause between them and the body.
        using var deadline = new CancellationTokenSource(_deadline, _clock);
        using var link = cancellationToken.UnsafeRegister(static source => ((CancellationTokenSource)source!).Cancel(), deadline);
        var context = ResilienceContextPool.Shared.Get(deadline.Token);
        Outcome<RawJson> outcome;
        try
        {
            var baseUrl = await _baseUrl.WaitAsync(deadline.Token);
            var call = new Call(_client, suffix is null ? baseUrl : string.Concat(baseUrl, "/", suffix), cancellationToken);
            using var slot = await _limiter.AcquireAsync(1, deadline.Token);
            if (!slot.IsAcquired) return Failed(Result(SourceStatus.Rejected, started, "too many calls in flight and queued"), siblings);

            outcome = await _breaker.ExecuteOutcomeAsync(Call.Attempt, context, call);
            if (outcome.Exception is { } first && _policy.Retry &&
                UpstreamPipeline.ShouldRetry(HttpMethod.Get, first, _clock.GetElapsedTime(attemptStarted), _longestPause, _deadline))
            {
                await Task.Delay(UpstreamPipeline.RetryPause(_policy), _clock, deadline.Token);
                ResilienceContextPool.Shared.Return(context); // A context serves one execution.
                context = ResilienceContextPool.Shared.Get(deadline.Token);
                outcome = await _breaker.ExecuteOutcomeAsync(Call.Attempt, context, call);
            }
        }
        catch (OperationCanceledException ex)
        {
            outcome = Outcome.FromException<RawJson>(ex); // Waiting for the address, a slot or the pause.
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        if (outcome.Exception is null)
            return Measured(new SourceResult(Name, SourceStatus.Ok, outcome.Result, ElapsedMs(started), null));
        return Failed(outcome.Exception switch
        {
            OperationCanceledException when cancellationToken.IsCancellationRequested => Rethrow(outcome.Exception),
            OperationCanceledException or TimeoutException => Result(SourceStatus.Timeout, started, _timeoutDetail),
            BrokenCircuitException => Open(started),
            HttpRequestException { StatusCode: { } status } => Result(SourceStatus.Error, started, $"HTTP {(int)status}"),
            HttpRequestException ex => Result(SourceStatus.Error, started, ex.HttpRequestError switch
            {
                HttpRequestError.ConfigurationLimitExceeded => "response too large",
                HttpRequestError.Unknown => "request failed",
                var error => $"{error}",
            }),
            JsonException => Result(SourceStatus.Error, started, "response is not JSON"),
            var unexpected => Rethrow(unexpected),
        }, siblings);
    }

    private SourceResult Failed(SourceResult result, CancellationTokenSource? siblings)
    {
        // Not awaited: the siblings' cancellation callbacks run on the thread pool while this result goes back.
        if (Required && siblings is not null) _ = siblings.CancelAsync();
        return result;
    }

    /// <summary>One GET, its body and its check: inside the breaker, so the deadline covers the body and a bad one counts.</summary>
    /// <param name="Caller">The caller's own token: a cancellation that is not the caller's is the deadline.</param>
    private readonly record struct Call(HttpClient Client, string Url, CancellationToken Caller)
    {
        /// <summary>What the breaker runs: its outcome, never an exception (cheaper than throwing through it).</summary>
        public static readonly Func<ResilienceContext, Call, ValueTask<Outcome<RawJson>>> Attempt =
            static (context, call) => call.SendAsync(context.CancellationToken);

        private async ValueTask<Outcome<RawJson>> SendAsync(CancellationToken deadline)
        {
            try
            {
                // Straight into one array (no intermediate buffer copy); MaxResponseContentBufferSize bounds its size.
                return Outcome.FromResult(RawJson.Validate(await Client.GetByteArrayAsync(Url, deadline)));
            }
            catch (OperationCanceledException) when (!Caller.IsCancellationRequested)
            {
                return Outcome.FromException<RawJson>(new TimeoutException("The source's deadline passed."));
            }
            catch (Exception ex)
            {
                return Outcome.FromException<RawJson>(ex);
            }
        }
    }

    private static SourceResult Rethrow(Exception exception)
    {
        ExceptionDispatchInfo.Throw(exception);
        return default;
    }

    public void Dispose() => _limiter.Dispose();

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
