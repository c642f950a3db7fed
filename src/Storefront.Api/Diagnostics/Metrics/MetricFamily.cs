using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Storefront.Api.Diagnostics.Metrics;

/// <summary>
/// Everything exported under one metric name: its series, found per measurement by tag set.
/// Hot path (tag combination seen before): one lock-free dictionary read keyed by the tag span (hash and compare the
/// names and values, no allocation), then the series update. A new combination takes this family's lock once,
/// sorts its tags so that the same set in another order lands on the same series, and caches it.
/// </summary>
internal sealed class MetricFamily
{
    private const string OverflowLabel = "otel_metric_overflow";

    private readonly ConcurrentDictionary<TagKey, MetricSeries> _byTags = new(TagKeyComparer.Instance);
    private readonly ConcurrentDictionary<TagKey, MetricSeries>.AlternateLookup<ReadOnlySpan<KeyValuePair<string, object?>>> _lookup;
    private readonly Dictionary<string, MetricSeries> _bySignature = new(StringComparer.Ordinal); // under _gate
    private readonly Lock _gate = new();
    private readonly IReadOnlyList<double> _exportedBounds;
    private readonly CollectionCycle _cycle;
    private readonly int _maxSeries;
    private MetricSeries? _untagged;
    private MetricSeries? _overflow;
    private int _cachedKeys;

    public MetricFamily(MetricDescriptor descriptor, int maxSeries, CollectionCycle cycle)
    {
        Descriptor = descriptor;
        _maxSeries = maxSeries;
        _cycle = cycle;
        _lookup = _byTags.GetAlternateLookup<ReadOnlySpan<KeyValuePair<string, object?>>>();
        _exportedBounds = Array.AsReadOnly(descriptor.Bounds);
    }

    public MetricDescriptor Descriptor { get; }

    /// <summary>Instruments feeding this family; changed by the registry under its own lock.</summary>
    public int Instruments { get; set; }

    public void Record(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        switch (Descriptor.Aggregation)
        {
            case Aggregation.Sum:
                // A counter that went down would read as a reset to Prometheus.
                if (value < 0 && Descriptor.Type == MetricType.Counter) return;
                Find(tags).Add(value);
                break;
            case Aggregation.LastValue:
                var series = Find(tags);
                series.Set(value);
                if (Descriptor.IsObservable) series.MarkObserved(_cycle.Current);
                break;
            default:
                Find(tags).Observe(value, Descriptor.Bounds);
                break;
        }
    }

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        switch (Descriptor.Aggregation)
        {
            case Aggregation.Sum:
                // NaN would stick in a sum forever; a negative delta would read as a counter reset.
                if (double.IsNaN(value) || (value < 0 && Descriptor.Type == MetricType.Counter)) return;
                Find(tags).Add(value);
                break;
            case Aggregation.LastValue:
                var series = Find(tags);
                series.Set(value);
                if (Descriptor.IsObservable) series.MarkObserved(_cycle.Current);
                break;
            default:
                if (double.IsNaN(value)) return;
                Find(tags).Observe(value, Descriptor.Bounds);
                break;
        }
    }

    public MetricSnapshot Snapshot()
    {
        List<MetricSeries> all;
        lock (_gate)
        {
            // In signature order, so that series keep their place from one scrape to the next.
            all = [.. _bySignature.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => s.Value)];
            if (_overflow is not null) all.Add(_overflow);
        }
        var cycle = _cycle.Current;
        var series = new List<SeriesSnapshot>(all.Count);
        foreach (var s in all)
        {
            // An observable series its callback no longer reports has ended.
            if (Descriptor.IsObservable && s.ObservedInCycle != cycle) continue;
            series.Add(Descriptor.Aggregation == Aggregation.Histogram
                ? new SeriesSnapshot(s.Labels, 0, s.ReadHistogram(_exportedBounds))
                : new SeriesSnapshot(s.Labels, s.Value));
        }
        return new MetricSnapshot(Descriptor.Name, Descriptor.Help, Descriptor.Type, series);
    }

    private MetricSeries Find(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty && Volatile.Read(ref _untagged) is { } untagged) return untagged;
        return _lookup.TryGetValue(tags, out var series) ? series : Add(tags);
    }

    private MetricSeries Add(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        lock (_gate)
        {
            if (_lookup.TryGetValue(tags, out var raced)) return raced;
            var labels = Canonical(tags);
            var signature = Signature(labels);
            if (!_bySignature.TryGetValue(signature, out var series))
            {
                if (_bySignature.Count < _maxSeries) _bySignature.Add(signature, series = NewSeries(labels));
                else series = _overflow ??= NewSeries([new(OverflowLabel, "true")]);
            }
            // Every tag order (and each combination folded into the overflow) is cached too, up to a bound:
            // past it a combination pays this lock on each measurement rather than growing memory without limit.
            if (_cachedKeys < _maxSeries * 4 && _byTags.TryAdd(TagKeyComparer.Instance.Create(tags), series)) _cachedKeys++;
            if (tags.IsEmpty) Volatile.Write(ref _untagged, series);
            return series;
        }
    }

    private MetricSeries NewSeries(KeyValuePair<string, string>[] labels) =>
        new(labels, Descriptor.Aggregation == Aggregation.Histogram ? Descriptor.Bounds.Length + 1 : 0);

    /// <summary>Sorted by name; a name given twice keeps its last value, as an exporter can write each label once.</summary>
    private static KeyValuePair<string, string>[] Canonical(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var byName = new Dictionary<string, string>(tags.Length, StringComparer.Ordinal);
        foreach (var tag in tags) byName[tag.Key ?? ""] = Text(tag.Value);
        return [.. byName.OrderBy(label => label.Key, StringComparer.Ordinal)];
    }

    private static string Text(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>Length-prefixed, so no choice of names and values can make two label sets collide.</summary>
    private static string Signature(KeyValuePair<string, string>[] labels)
    {
        var text = new StringBuilder();
        foreach (var (name, value) in labels)
            text.Append(CultureInfo.InvariantCulture, $"{name.Length}:{name}{value.Length}:{value}");
        return text.ToString();
    }
}

/// <summary>Counts scrapes, so that an observable series can tell whether the latest one reported it.</summary>
internal sealed class CollectionCycle
{
    private long _current;

    public long Current => Volatile.Read(ref _current);

    public void Advance() => Interlocked.Increment(ref _current);
}
