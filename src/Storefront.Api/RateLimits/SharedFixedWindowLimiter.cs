using System.Threading.RateLimiting;

namespace Storefront.Api.RateLimits;

/// <summary>
/// One partition's limiter (one client under one policy) on a window shared through Redis, so N instances together
/// give the configured permits, not N times them. While Redis is unusable it counts in this instance with the same
/// limits (the library's <see cref="FixedWindowRateLimiter"/>), so an outage loosens the limit instead of failing requests.
/// A replenishing limiter so that the partitioned limiter's timer replenishes that local window.
/// </summary>
internal sealed class SharedFixedWindowLimiter : ReplenishingRateLimiter
{
    // "Not here": the rate limiting middleware tries AttemptAcquire first and goes on to AcquireAsync when it fails.
    private static readonly RateLimitLease Deferred = new WindowLease(false, null);
    private static readonly RateLimitLease Granted = new WindowLease(true, null);

    private readonly RedisWindows _windows;
    private readonly string _key;
    private readonly int _permitLimit;
    private readonly TimeSpan _window;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly FixedWindowRateLimiter _local;
    private long _lastUsed;

    public SharedFixedWindowLimiter(RedisWindows windows, string key, FixedWindowRateLimiterOptions window, TimeSpan timeout, TimeProvider time)
    {
        _windows = windows;
        _key = key;
        _permitLimit = window.PermitLimit;
        _window = window.Window;
        _timeout = timeout;
        _time = time;
        _local = new FixedWindowRateLimiter(new FixedWindowRateLimiterOptions
        {
            PermitLimit = window.PermitLimit,
            Window = window.Window,
            QueueLimit = 0,
            AutoReplenishment = false,
        });
        _lastUsed = time.GetTimestamp();
    }

    /// <summary>
    /// Idle once unused for a while and the local window holds no count: the shared count lives in Redis, so dropping
    /// this limiter loses nothing.
    /// </summary>
    public override TimeSpan? IdleDuration =>
        _local.IdleDuration is null ? null : _time.GetElapsedTime(Interlocked.Read(ref _lastUsed));

    public override bool IsAutoReplenishing => false;

    public override TimeSpan ReplenishmentPeriod => _local.ReplenishmentPeriod;

    public override bool TryReplenish() => _local.TryReplenish();

    // The shared count lives in Redis; this instance's figures would mislead.
    public override RateLimiterStatistics? GetStatistics() => null;

    /// <summary>Synchronous, so it never asks Redis: the local count while Redis is unusable, else "ask AcquireAsync".</summary>
    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        Touch();
        return _windows.CheckUsable() ? Deferred : _local.AttemptAcquire(permitCount);
    }

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(permitCount, _permitLimit);
        Touch();
        var count = await _windows.IncrementAsync(_key, permitCount, _window, _timeout, cancellationToken);
        return count is { } shared ? Decide(shared, permitCount, _permitLimit) : await _local.AcquireAsync(permitCount, cancellationToken);
    }

    /// <summary>Granted while the window's count is within the limit; refused with the rest of the window as Retry-After.</summary>
    internal static RateLimitLease Decide(WindowCount count, int permitCount, int permitLimit)
    {
        // Zero permits asks whether any are left, without taking one.
        var within = permitCount == 0 ? count.Count < permitLimit : count.Count <= permitLimit;
        return within ? Granted : new WindowLease(false, count.Remaining);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _local.Dispose();
        base.Dispose(disposing);
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await _local.DisposeAsync();
        await base.DisposeAsyncCore();
    }

    private void Touch() => Interlocked.Exchange(ref _lastUsed, _time.GetTimestamp());

    private sealed class WindowLease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = metadataName == MetadataName.RetryAfter.Name ? retryAfter : null;
            return metadata is not null;
        }
    }
}
