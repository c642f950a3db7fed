namespace Storefront.Api.Diagnostics;

/// <summary>
/// The arithmetic of the adaptive limit on requests in flight, apart from clocks and counters so that tests can drive
/// it. The latency it watches is the thread pool's queueing delay (the time a work item waits for a thread), not a
/// request's own latency: <c>/slow</c> or a slow upstream make requests long without loading this machine, while the
/// queueing delay grows for every request at once when the CPU cannot keep up.
/// <para>
/// Entering: as CoDel does, only a delay above the target for a whole interval is a standing queue; a burst that
/// drains within it (a thousand buyers at once) is served, not shed. Limited, the limit holds the delay at the lower
/// <c>hold</c> delay instead: the admitted requests' latency is what a limit is for, and holding at the entry target
/// would let every admitted request wait about that long. Each delay above the hold scales the limit to what is in
/// flight times hold / delay (at most halved at once); each delay under it grows the limit by an eighth, and once the
/// delay has stayed under the hold for an interval and the limit is well above what is in flight, the limit is
/// lifted. Nothing depends on the machine: the target, hold and interval are latencies, the floor a few requests per
/// core.
/// </para>
/// </summary>
public sealed class ConcurrencyGradient(int floor, TimeSpan target, TimeSpan hold, TimeSpan interval)
{
    public const int Unlimited = int.MaxValue;

    private TimeSpan? _aboveSince;
    private TimeSpan? _belowSince;

    public int Limit { get; private set; } = Unlimited;

    public int Floor { get; } = Math.Max(1, floor);

    /// <summary>One measurement of the queueing delay at <paramref name="now"/> (any monotonic clock), with the
    /// requests in flight then; returns the new limit.</summary>
    public int Observe(TimeSpan now, TimeSpan delay, int inFlight)
    {
        var busy = Math.Max(inFlight, Floor);
        var setpoint = Limit == Unlimited ? target : hold;
        if (delay <= setpoint)
        {
            _aboveSince = null;
            _belowSince ??= now;
            if (Limit == Unlimited) return Limit;
            Limit += Math.Max(1, Limit / 8);
            // Lifted only after a calm interval: lifting at the first good reading lets the whole excess in at once.
            if (now - _belowSince.Value >= interval && Limit > 2 * busy) Limit = Unlimited;
            return Limit;
        }
        _belowSince = null;
        _aboveSince ??= now;
        if (Limit == Unlimited && now - _aboveSince.Value < interval) return Limit;
        var factor = Math.Clamp(hold / delay, 0.5, 0.9);
        Limit = Math.Max(Floor, (int)(Math.Min(Limit, busy) * factor));
        return Limit;
    }
}
