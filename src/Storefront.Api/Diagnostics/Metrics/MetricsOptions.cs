using System.ComponentModel.DataAnnotations;

namespace Storefront.Api.Diagnostics.Metrics;

public sealed class MetricsOptions
{
    public const string Section = "Metrics";

    /// <summary>Only meters whose name starts with this are exported; the framework's own meters stay out of /metrics.</summary>
    [Required, MinLength(1)]
    public string MeterPrefix { get; set; } = MetricsRegistry.DefaultMeterPrefix;

    /// <summary>
    /// Distinct label sets kept per metric. Beyond it new label sets share one overflow series
    /// (<c>otel_metric_overflow="true"</c>), so an unbounded tag value cannot exhaust memory.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxSeriesPerMetric { get; set; } = 2000;
}
