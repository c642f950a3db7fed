
namespace Storefront.Api.Caching;

/// <summary>Cache counters, exported by /metrics and read by tests that count computations.</summary>
public sealed class CacheStatistics
{
    private long _hits, _misses, _bypasses, _computations;

    public long Hits => Interlocked.Read(ref _hits);
    public long Misses => Interlocked.Read(ref _misses);
    public long Bypasses => Interlocked.Read(ref _bypasses);
    public long Computations => Interlocked.Read(ref _computations);

    internal void OnComputed() => Interlocked.Increment(ref _computations);

    internal void OnLookup(CacheOutcome outcome)
    {
        switch (outcome)
        {
            case CacheOutcome.Hit: Interlocked.Increment(ref _hits); break;
            case CacheOutcome.Miss: Interlocked.Increment(ref _misses); break;
            default: Interlocked.Increment(ref _bypasses); break;
        }
    }
}
