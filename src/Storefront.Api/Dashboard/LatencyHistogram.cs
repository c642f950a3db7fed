namespace Storefront.Api.Dashboard;

/// <summary>
/// Durations in log-linear buckets read straight off a double's bits: the exponent and the top three bits of the
/// mantissa, so each power of two splits into 8 steps (a bucket is 6–12.5% wide, 7.6 µs to 128 s) and a measurement
/// is filed with a shift and a subtraction, no logarithm. p50/p99 within 12.5% is all a chart one second wide shows.
/// </summary>
internal static class LatencyBuckets
{
    private const int MantissaBitsKept = 3;
    private const int Shift = 52 - MantissaBitsKept;
    private const double MinSeconds = 1.0 / (1 << 17);
    private const double MaxSeconds = 128;

    private static readonly long First = BitConverter.DoubleToInt64Bits(MinSeconds) >> Shift;

    public static readonly int Count = (int)((BitConverter.DoubleToInt64Bits(MaxSeconds) >> Shift) - First) + 1;

    /// <summary>The bucket of <paramref name="seconds"/>: 0 for anything up to 7.6 µs (and NaN), the last from 128 s.</summary>
    public static int Of(double seconds)
    {
        if (!(seconds > MinSeconds)) return 0;
        if (seconds >= MaxSeconds) return Count - 1;
        return (int)((BitConverter.DoubleToInt64Bits(seconds) >> Shift) - First);
    }

    /// <summary>The smallest duration above every one in <paramref name="bucket"/> (the next bucket's start), in ms.</summary>
    public static double UpperBoundMs(int bucket) =>
        BitConverter.Int64BitsToDouble((First + Math.Clamp(bucket, 0, Count - 1) + 1) << Shift) * 1000;
}

/// <summary>
/// One second's durations for the snapshot, written from many threads at once (the upstream calls) or filled once
/// from <see cref="RequestTally"/> (the requests): one interlocked increment per measurement, no lock.
/// </summary>
internal sealed class LatencyHistogram
{
    private readonly long[] _counts = new long[LatencyBuckets.Count];

    /// <summary>Summed when read (once a second), not counted per measurement: a shared total would be one more
    /// contended cache line between the cores on every call while someone watches.</summary>
    public long Count
    {
        get
        {
            long total = 0;
            for (var bucket = 0; bucket < _counts.Length; bucket++) total += Interlocked.Read(ref _counts[bucket]);
            return total;
        }
    }

    public void Record(double seconds) => Interlocked.Increment(ref _counts[LatencyBuckets.Of(seconds)]);

    public void Add(int bucket, long count) => Interlocked.Add(ref _counts[bucket], count);

    /// <summary>The upper bound of the bucket holding the <paramref name="quantile"/>, in milliseconds; 0 when empty.</summary>
    public double QuantileMs(double quantile)
    {
        var total = Count;
        if (total == 0) return 0;
        var rank = Math.Max(1, (long)Math.Ceiling(quantile * total));
        long seen = 0;
        for (var bucket = 0; bucket < _counts.Length; bucket++)
        {
            seen += Interlocked.Read(ref _counts[bucket]);
            if (seen >= rank) return LatencyBuckets.UpperBoundMs(bucket);
        }
        return LatencyBuckets.UpperBoundMs(_counts.Length - 1);
    }
}
