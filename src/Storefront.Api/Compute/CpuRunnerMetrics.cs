using System.Diagnostics.Metrics;

namespace Storefront.Api.Compute;

/// <summary>Queue depth, busy workers and outcomes of every CPU runner, one series per runner.</summary>
public sealed class CpuRunnerMetrics
{
    public const string MeterName = "Storefront.Compute";

    /// <summary>The instrument names other features read (the dashboard), so they are spelled only here.</summary>
    public static class Names
    {
        public const string QueueLength = "storefront.cpu.queue_length";
        public const string Rejected = "storefront.cpu.rejected";
    }

    public CpuRunnerMetrics(IEnumerable<ICpuWorkRunner> runners, IMeterFactory meters)
    {
        var all = runners.ToArray();
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge(Names.QueueLength, () => Each(all, r => r.QueueLength), null, "Items waiting for a CPU worker");
        meter.CreateObservableGauge("storefront.cpu.busy_workers", () => Each(all, r => r.Busy), null, "CPU workers running a batch");
        meter.CreateObservableGauge("storefront.cpu.workers", () => Each(all, r => r.ThreadCount), null, "Dedicated CPU worker threads");
        meter.CreateObservableCounter("storefront.cpu.completed", () => Each(all, r => r.Completed), null, "Items computed");
        meter.CreateObservableCounter(Names.Rejected, () => Each(all, r => r.Rejected), null, "Items refused because the queue was full (503)");
        meter.CreateObservableCounter("storefront.cpu.expired", () => Each(all, r => r.Expired), null, "Items skipped: the caller left or the deadline passed");
    }

    private static IEnumerable<Measurement<T>> Each<T>(ICpuWorkRunner[] runners, Func<ICpuWorkRunner, T> value) where T : struct =>
        runners.Select(r => new Measurement<T>(value(r), new KeyValuePair<string, object?>("runner", r.Name)));
}
