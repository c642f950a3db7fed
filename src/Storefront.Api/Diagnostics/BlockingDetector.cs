using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;

namespace Storefront.Api.Diagnostics;

public sealed class BlockingDetectorOptions
{
    public const string Section = "Diagnostics:Blocking";

    /// <summary>How often a probe is queued to the thread pool.</summary>
    [System.ComponentModel.DataAnnotations.Range(10, 60_000)]
    public int ProbeIntervalMs { get; set; } = 250;

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
/// request thread) shows up as this lag growing; the warning names the requests in flight longest.
/// </summary>
public sealed partial class BlockingDetector : BackgroundService
{
    public const string MeterName = "Storefront.Runtime";

    private readonly InFlightRequests _inFlight;
    private readonly BlockingDetectorOptions _options;
    private readonly ILogger<BlockingDetector> _logger;
    private readonly Meter _meter;
    private long _lastLagTicks;
    private long _maxLagTicks;
    private long _lastWarning;

    public BlockingDetector(InFlightRequests inFlight, IOptions<BlockingDetectorOptions> options, ILogger<BlockingDetector> logger,
        IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _inFlight = inFlight;
        _options = options.Value;
        _logger = logger;
        _meter.CreateObservableGauge("storefront.threadpool.lag", () => LastLag.TotalSeconds, "s",
            "Time a work item queued to the thread pool waited before it ran (the event-loop delay)");
        _meter.CreateObservableGauge("storefront.threadpool.queue_length", () => ThreadPool.PendingWorkItemCount, null,
            "Work items waiting for a thread-pool thread");
        _meter.CreateObservableGauge("storefront.threadpool.threads", () => ThreadPool.ThreadCount, null, "Thread-pool threads");
    }

    public TimeSpan LastLag => TimeSpan.FromTicks(Interlocked.Read(ref _lastLagTicks));

    /// <summary>The largest lag seen since start.</summary>
    public TimeSpan MaxLag => TimeSpan.FromTicks(Interlocked.Read(ref _maxLagTicks));


    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(_options.ProbeIntervalMs));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var queued = Stopwatch.GetTimestamp();
            var probe = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            ThreadPool.UnsafeQueueUserWorkItem(_ =>
            {
                Record(Stopwatch.GetElapsedTime(queued));
                probe.TrySetResult();
            }, null);
            // One probe at a time: during a stall the next tick waits, and the lag reported is the whole stall.
            await probe.Task.WaitAsync(stoppingToken);
        }
    }

    private void Record(TimeSpan lag)
    {
        Interlocked.Exchange(ref _lastLagTicks, lag.Ticks);
        if (lag.Ticks > Interlocked.Read(ref _maxLagTicks)) Interlocked.Exchange(ref _maxLagTicks, lag.Ticks);
        if (lag.TotalMilliseconds < _options.WarnAboveMs) return;

        var now = Stopwatch.GetTimestamp();
        var last = Interlocked.Read(ref _lastWarning);
        if (last != 0 && Stopwatch.GetElapsedTime(last, now) < TimeSpan.FromSeconds(_options.WarnEverySeconds)) return;
        if (Interlocked.CompareExchange(ref _lastWarning, now, last) != last) return;

        var suspects = string.Join(", ", _inFlight.Longest(5).Select(r => $"{r.Route} ({r.Elapsed.TotalMilliseconds:0} ms)"));
        LogBlocked(_logger, lag.TotalMilliseconds, ThreadPool.ThreadCount, ThreadPool.PendingWorkItemCount,
            suspects.Length > 0 ? suspects : "none");
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Thread pool is blocked: a work item waited {LagMs:0} ms ({Threads} threads, {Queued} queued). In flight longest: {Requests}")]
    private static partial void LogBlocked(ILogger logger, double lagMs, int threads, long queued, string requests);
}
