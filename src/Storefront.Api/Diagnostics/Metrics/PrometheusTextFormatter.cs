using System.Globalization;

namespace Storefront.Api.Diagnostics.Metrics;

/// <summary>
/// The Prometheus text exposition format, version 0.0.4: per family a HELP and a TYPE line, then its samples.
/// Families are sorted by name and each appears once; lines end in '\n' whatever the platform.
/// </summary>
public static class PrometheusTextFormatter
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static void Write(IEnumerable<MetricSnapshot> metrics, TextWriter writer)
    {
        // Merged by sanitised name: a family split over two snapshots would otherwise repeat its TYPE, which is invalid.
        var families = metrics
            .GroupBy(m => PrometheusNames.SanitizeMetricName(m.Name), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var family in families)
        {
            var type = family.First().Type;
            // A second type under the same name cannot be expressed; the first one wins.
            var members = family.Where(m => m.Type == type).ToList();
            if (members.All(m => m.Series.Count == 0)) continue;

            var name = family.Key;
            if (members.Select(m => m.Help).FirstOrDefault(h => !string.IsNullOrEmpty(h)) is { } help)
            {
                writer.Write("# HELP ");
                writer.Write(name);
                writer.Write(' ');
                WriteEscaped(writer, help, escapeQuote: false);
                writer.Write('\n');
            }
            writer.Write("# TYPE ");
            writer.Write(name);
            writer.Write(' ');
            writer.Write(type switch { MetricType.Counter => "counter", MetricType.Gauge => "gauge", _ => "histogram" });
            writer.Write('\n');

            foreach (var series in members.SelectMany(m => m.Series))
            {
                var labels = LabelNames(series.Labels, type == MetricType.Histogram);
                if (type == MetricType.Histogram && series.Histogram is { } histogram) WriteHistogram(writer, name, labels, series, histogram);
                else WriteSample(writer, name, labels, series, null, series.Value);
            }
        }
    }

    private static void WriteHistogram(TextWriter writer, string name, string?[] labels, SeriesSnapshot series, HistogramSnapshot histogram)
    {
        var bucket = name + "_bucket";
        long cumulative = 0;
        for (var i = 0; i < histogram.Bounds.Count; i++)
        {
            cumulative += histogram.BucketCounts[i];
            WriteSample(writer, bucket, labels, series, Number(histogram.Bounds[i]), cumulative);
        }
        // _count is this same total, so +Inf == _count holds by construction.
        for (var i = histogram.Bounds.Count; i < histogram.BucketCounts.Count; i++) cumulative += histogram.BucketCounts[i];
        WriteSample(writer, bucket, labels, series, "+Inf", cumulative);
        WriteSample(writer, name + "_sum", labels, series, null, histogram.Sum);
        WriteSample(writer, name + "_count", labels, series, null, cumulative);
    }

    private static void WriteSample(TextWriter writer, string name, string?[] labelNames, SeriesSnapshot series, string? le, double value)
    {
        writer.Write(name);
        var open = false;
        for (var i = 0; i < labelNames.Length; i++)
        {
            if (labelNames[i] is not { } label) continue;
            writer.Write(open ? ',' : '{');
            open = true;
            writer.Write(label);
            writer.Write("=\"");
            WriteEscaped(writer, series.Labels[i].Value, escapeQuote: true);
            writer.Write('"');
        }
        if (le is not null)
        {
            writer.Write(open ? ",le=\"" : "{le=\"");
            writer.Write(le);
            writer.Write('"');
            open = true;
        }
        if (open) writer.Write('}');
        writer.Write(' ');
        WriteNumber(writer, value);
        writer.Write('\n');
    }

    /// <summary>
    /// Sanitised label names, null where a label must be left out: a name that sanitising made equal to an earlier
    /// one ("a.b" and "a_b") would be written twice, which is invalid. A histogram's own "le" becomes "exported_le".
    /// </summary>
    private static string?[] LabelNames(IReadOnlyList<KeyValuePair<string, string>> labels, bool isHistogram)
    {
        var names = new string?[labels.Count];
        for (var i = 0; i < names.Length; i++)
        {
            var name = PrometheusNames.SanitizeLabelName(labels[i].Key);
            if (isHistogram && name == "le") name = "exported_le";
            names[i] = Array.IndexOf(names, name, 0, i) < 0 ? name : null;
        }
        return names;
    }

    /// <summary>HELP escapes backslash and newline; label values also the double quote.</summary>
    private static void WriteEscaped(TextWriter writer, string text, bool escapeQuote)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var escaped = text[i] switch
            {
                '\\' => "\\\\",
                '\n' => "\\n",
                '"' when escapeQuote => "\\\"",
                _ => null,
            };
            if (escaped is null) continue;
            writer.Write(text.AsSpan(start, i - start));
            writer.Write(escaped);
            start = i + 1;
        }
        writer.Write(text.AsSpan(start));
    }

    private static void WriteNumber(TextWriter writer, double value)
    {
        if (double.IsFinite(value))
        {
            Span<char> text = stackalloc char[32];
            // Shortest text that parses back to the same double ("0.1", "800000", "1E-05").
            if (value.TryFormat(text, out var length, default, CultureInfo.InvariantCulture))
            {
                writer.Write(text[..length]);
                return;
            }
        }
        writer.Write(Number(value));
    }

    private static string Number(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString(CultureInfo.InvariantCulture),
    };
}
