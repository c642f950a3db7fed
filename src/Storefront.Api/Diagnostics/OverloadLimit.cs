using System.Diagnostics;
using System.Diagnostics.Metrics;
using Storefront.Api.Http;

namespace Storefront.Api.Diagnostics;

/// <summary>
/// Graceful overload: requests beyond an adaptive limit (<see cref="ConcurrencyGradient"/>, fed by the thread-pool lag
/// probe) are refused at the front of the pipeline with a fast 503 + Retry-After, before any of their work is done, so
/// the requests admitted keep their latency instead of every request queueing behind the excess. Health checks,
/// /metrics and WebSockets (a socket is one long request) are never refused here.
/// </summary>
public sealed class OverloadLimit
{
    public static class Names
    {
        public const string Shed = "storefront.overload.shed";
        public const string Limit = "storefront.overload.limit";
    }

    // The limit never cuts below this many requests per core: a few more than the cores, so that requests waiting on
    // the database or an upstream between their bits of CPU still keep every core busy.
    private const int MinimumLimitPerCore = 4;

    private readonly ConcurrencyGradient _gradient;
    private readonly Lock _observing = new();
    private readonly TimeSpan[] _latest = new TimeSpan[Enum.GetValues<Source>().Length];
    private readonly Counter<long> _shed;
    private readonly TimeSpan _target;
    private int _inFlight;
    private int _limit = ConcurrencyGradient.Unlimited;
    private static readonly long Started = Stopwatch.GetTimestamp();

    public OverloadLimit(IOptions<OverloadOptions> options, IMeterFactory meters)
    {
        Enabled = options.Value.Enabled;
        _target = TimeSpan.FromMilliseconds(options.Value.TargetDelayMs);
        _gradient = new ConcurrencyGradient(MinimumLimitPerCore * Environment.ProcessorCount, _target,
            TimeSpan.FromMilliseconds(options.Value.HoldDelayMs), TimeSpan.FromMilliseconds(options.Value.IntervalMs));
        var meter = meters.Create(BlockingDetector.MeterName);
        _shed = meter.CreateCounter<long>(Names.Shed, null, "Requests refused with 503 because the thread pool's queueing delay was over Overload__TargetDelayMs");
        meter.CreateObservableGauge(Names.Limit, () => Limit is { } limit ? [new Measurement<int>(limit)] : Array.Empty<Measurement<int>>(),
            null, "The adaptive limit on requests in flight; no value while nothing is limited");
    }

    public bool Enabled { get; }

    /// <summary>The limit on requests in flight, or null while there is none.</summary>
    public int? Limit => Volatile.Read(ref _limit) is var limit && limit != ConcurrencyGradient.Unlimited ? limit : null;

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>The queues whose delay the limit follows.</summary>
    public enum Source { ThreadPool, Database }

    /// <summary>
    /// One measurement of a queue's delay (the thread pool's from the lag probe, the database pool's from its probe).
    /// The limit follows the longer of the two latest: a request waits in both.
    /// </summary>
    public void Observe(Source source, TimeSpan delay)
    {
        if (!Enabled) return;
        lock (_observing)
        {
            _latest[(int)source] = delay;
            Volatile.Write(ref _limit, _gradient.Observe(Stopwatch.GetElapsedTime(Started), _latest.Max(), InFlight));
        }
    }

    /// <summary>
    /// Counts a request in; false (counted out again, and as refused) when it is over the limit. Health and metrics are
    /// never refused, and WebSockets never get here (<see cref="InFlightRequestsMiddleware"/>).
    /// </summary>
    public bool TryEnter(HttpContext context)
    {
        if (Interlocked.Increment(ref _inFlight) <= Volatile.Read(ref _limit) || IsExempt(context.Request.Path)) return true;
        Interlocked.Decrement(ref _inFlight);
        _shed.Add(1);
        return false;
    }

    public void Exit() => Interlocked.Decrement(ref _inFlight);

    /// <summary>The refusal: 503, Retry-After, Problem Details.</summary>
    public static Task RefuseAsync(HttpContext context) => Problems.TooBusy(context, Refused).ExecuteAsync(context);

    private const string Refused =
        "The service is over capacity: this request was refused before any of its work was done. Retry after Retry-After seconds.";

    // An orchestrator must not read an overloaded instance as a dead one, and the operator must see why it refuses.
    private static bool IsExempt(PathString path) => path.StartsWithSegments("/health") || path.StartsWithSegments("/metrics");
}
