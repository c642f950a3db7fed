using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Storefront.Api.Diagnostics;

public sealed class BlockingDetectorOptions
{
    public const string Section = "Diagnostics:Blocking";

    /// <summary>How often a probe is queued to the thread pool.</summary>
    [System.ComponentModel.DataAnnotations.Range(10, 60_000)]
    public int ProbeIntervalMs { get; set; } = 50;

    /// <summary>Scheduling lag above which a warning is logged.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 60_000)]
    public int WarnAboveMs { get; set; } = 200;

    /// <summary>At most one warning per this many seconds, however long the stall.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 3600)]
    public int WarnEverySeconds { get; set; } = 5;
}

/// <summary>
/// The .NET form of "monitor event-loop delay": every ProbeIntervalMs a work item is queued to the thread pool
/// and the time until it runs is measured. Blocking code (sync I/O, .Result, Thread.Sleep, heavy CPU on a
/// request thread) shows up as this lag growing. The prober is a dedicated thread, not a pool thread, so a
/// starved pool cannot delay the measurement itself; and the warning is logged as soon as a probe is late,
/// while the requests that block are still in flight and can be named.
/// </summary>
public sealed partial class BlockingDetector : IHostedService, IDisposable
{
    public const string MeterName = "Storefront.Runtime";

    /// <summary>The instrument names other parts read (the dashboard), so they are spelled only here.</summary>
    public static class Names
    {
        public const string Lag = "storefront.threadpool.lag";
        public const string QueueLength = "storefront.threadpool.queue_length";
        public const string Threads = "storefront.threadpool.threads";
    }

    private readonly InFlightRequests _inFlight;
    private readonly OverloadLimit _overload;
    private readonly BlockingDetectorOptions _options;
    private readonly ILogger<BlockingDetector> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ManualResetEventSlim _probeRan = new(false);
    private Thread? _prober;
    private long _lastLagTicks;
    private long _lastWarning;
    private Stall? _lastStall;

    public BlockingDetector(InFlightRequests inFlight, OverloadLimit overload, IOptions<BlockingDetectorOptions> options,
        ILogger<BlockingDetector> logger, IMeterFactory meters)
    {
        _inFlight = inFlight;
        _overload = overload;
        _options = options.Value;
        _logger = logger;
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge(Names.Lag, () => LastLag.TotalSeconds, "s",
            "Time a work item queued to the thread pool waited before it ran (the event-loop delay)");
        meter.CreateObservableGauge(Names.QueueLength, () => ThreadPool.PendingWorkItemCount, null,
            "Work items waiting for a thread-pool thread");
        meter.CreateObservableGauge(Names.Threads, () => ThreadPool.ThreadCount, null, "Thread-pool threads");
    }

    public TimeSpan LastLag => TimeSpan.FromTicks(Interlocked.Read(ref _lastLagTicks));

    /// <summary>
    /// The latest late probe: when (a Stopwatch timestamp), how late so far, and the longest requests in flight then.
    /// Kept because a stall is over by the time anything running on the pool can look: the lag gauge is overwritten by
    /// the next on-time probe, and the blocking requests have often ended.
    /// </summary>
    public Stall? LastStall => Volatile.Read(ref _lastStall);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _prober = new Thread(Probe) { IsBackground = true, Name = "threadpool-lag-probe" };
        _prober.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        StopProber();
        return Task.CompletedTask;
    }

    // Safe in any order and more than once: the host may dispose without stopping (failed startup).
    public void Dispose()
    {
        if (!StopProber()) return;
        _probeRan.Dispose();
    }

    /// <returns>True when the prober has ended (or never started), so its wait handle may be disposed.</returns>
    private bool StopProber()
    {
        try
        {
            _stopping.Cancel();
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
        return _prober?.Join(TimeSpan.FromSeconds(2)) ?? true;
    }

    private void Probe()
    {
        var interval = TimeSpan.FromMilliseconds(_options.ProbeIntervalMs);
        var warnAfter = TimeSpan.FromMilliseconds(_options.WarnAboveMs);
        var stop = _stopping.Token;
        while (!stop.WaitHandle.WaitOne(interval))
        {
            _probeRan.Reset();
            var queued = Stopwatch.GetTimestamp();
            ThreadPool.UnsafeQueueUserWorkItem(static ran => ((ManualResetEventSlim)ran!).Set(), _probeRan);
            var warned = false;
            try
            {
                // While the probe waits, the wait so far is measured every interval: the overload limit must learn of a
                // stall while it lasts, not when it is over.
                while (!_probeRan.Wait(interval, stop))
                {
                    var late = Stopwatch.GetElapsedTime(queued);
                    if (!warned && late >= warnAfter)
                    {
                        // Late already: warn now, while whatever is blocking the pool is still running.
                        Warn(late);
                        warned = true;
                    }
                    else
                    {
                        _overload.Observe(OverloadLimit.Source.ThreadPool, late);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            // The stall is over: keep its whole length, timed from its end, with the routes named while it ran.
            if (warned && Volatile.Read(ref _lastStall) is { } stall)
                Volatile.Write(ref _lastStall, stall with { At = Stopwatch.GetTimestamp(), Lag = Stopwatch.GetElapsedTime(queued) });
            Record(Stopwatch.GetElapsedTime(queued));
        }
    }

    // Every measurement also sets the overload limit: the queueing delay is the latency it follows.
    private void Record(TimeSpan lag)
    {
        Interlocked.Exchange(ref _lastLagTicks, lag.Ticks);
        _overload.Observe(OverloadLimit.Source.ThreadPool, lag);
    }

    private void Warn(TimeSpan lagSoFar)
    {
        Record(lagSoFar);
        var now = Stopwatch.GetTimestamp();
        // Only late probes get here (rare), so naming the suspects each time costs nothing on a healthy service.
        var longest = _inFlight.Longest(5);
        Volatile.Write(ref _lastStall, new Stall(now, lagSoFar, longest.Select(r => r.Route).ToArray()));
        var last = Interlocked.Read(ref _lastWarning);
        if (last != 0 && Stopwatch.GetElapsedTime(last, now) < TimeSpan.FromSeconds(_options.WarnEverySeconds)) return;
        Interlocked.Exchange(ref _lastWarning, now);

        var suspects = string.Join(", ", longest.Select(r => $"{r.Route} ({r.Elapsed.TotalMilliseconds:0} ms)"));
        LogBlocked(_logger, lagSoFar.TotalMilliseconds, ThreadPool.ThreadCount, ThreadPool.PendingWorkItemCount,
            suspects.Length > 0 ? suspects : "none");
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Thread pool is blocked: a work item has waited {LagMs:0} ms so far ({Threads} threads, {Queued} queued). In flight longest: {Requests}")]
    private static partial void LogBlocked(ILogger logger, double lagMs, int threads, long queued, string requests);
}

/// <summary>A late thread-pool probe: its Stopwatch timestamp, its lag so far, the longest routes in flight then.</summary>
public sealed record Stall(long At, TimeSpan Lag, IReadOnlyList<string> Routes);
