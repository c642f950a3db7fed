namespace Storefront.Api.Diagnostics.Metrics;

public enum MetricType
{
    Counter,
    Gauge,
    Histogram,
}

/// <summary>One metric family as read at scrape time. Immutable, so formatting it needs no lock.</summary>
/// <param name="Name">The exported name, suffixes (<c>_seconds</c>, <c>_total</c>) included.</param>
public sealed record MetricSnapshot(string Name, string? Help, MetricType Type, IReadOnlyList<SeriesSnapshot> Series);

/// <summary>One labelled series. <paramref name="Histogram"/> is set for histograms, <paramref name="Value"/> otherwise.</summary>
public sealed record SeriesSnapshot(IReadOnlyList<KeyValuePair<string, string>> Labels, double Value, HistogramSnapshot? Histogram = null);

/// <summary>
/// Per-bucket counts, not cumulative: <paramref name="BucketCounts"/> has one more entry than
/// <paramref name="Bounds"/>, the last being the +Inf bucket. The count is their sum, so it always equals +Inf.
/// </summary>
public sealed record HistogramSnapshot(IReadOnlyList<double> Bounds, IReadOnlyList<long> BucketCounts, double Sum)
{
    public long Count => BucketCounts.Sum();
}
