using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Storefront.Api.Diagnostics;
using Storefront.Api.Http;

namespace Storefront.Api.Inference;

public static class InferenceExtensions
{
    public static WebApplicationBuilder AddInference(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<InferenceOptions>().BindConfiguration(InferenceOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<InferenceOptions>, InferenceOptionsValidator>();
        services.AddJsonTypes(InferenceJsonContext.Default);
        services.AddSingleton(sp => SentimentClassifier.Load(sp.GetRequiredService<IOptions<InferenceOptions>>()));
        services.AddSingleton<ITextClassifier>(sp => sp.GetRequiredService<SentimentClassifier>());
        services.AddSingleton<PredictionRunner>();
        services.AddSingleton<QrRunner>();
        // Its instruments read the runners, so the model loads and the workers start with the host, before requests
        // arrive: a missing or broken model file stops the service at once.
        services.AddObservableMetrics<InferenceMetrics>();
        return builder;
    }
}

/// <summary>Queue depth, busy workers and outcomes of each CPU runner, for /metrics.</summary>
public sealed class InferenceMetrics
{
    public const string MeterName = "Storefront.Inference";

    private readonly Meter _meter;

    public InferenceMetrics(PredictionRunner predictions, QrRunner qr, IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        foreach (var runner in new (string Name, Func<int> Queue, Func<long> Busy, Func<long> Completed, Func<long> Rejected, Func<long> Expired, int Threads)[]
                 {
                     ("predict", () => predictions.Runner.QueueLength, () => predictions.Runner.Busy, () => predictions.Runner.Completed,
                         () => predictions.Runner.Rejected, () => predictions.Runner.Expired, predictions.Runner.ThreadCount),
                     ("qr", () => qr.Runner.QueueLength, () => qr.Runner.Busy, () => qr.Runner.Completed,
                         () => qr.Runner.Rejected, () => qr.Runner.Expired, qr.Runner.ThreadCount),
                 })
        {
            var tag = new KeyValuePair<string, object?>("runner", runner.Name);
            _meter.CreateObservableGauge("storefront.cpu.queue_length", () => new Measurement<int>(runner.Queue(), tag), null, "Items waiting for a CPU worker");
            _meter.CreateObservableGauge("storefront.cpu.busy_workers", () => new Measurement<long>(runner.Busy(), tag), null, "CPU workers running a batch");
            _meter.CreateObservableGauge("storefront.cpu.workers", () => new Measurement<int>(runner.Threads, tag), null, "Dedicated CPU worker threads");
            _meter.CreateObservableCounter("storefront.cpu.completed", () => new Measurement<long>(runner.Completed(), tag), null, "Items computed");
            _meter.CreateObservableCounter("storefront.cpu.rejected", () => new Measurement<long>(runner.Rejected(), tag), null, "Items refused because the queue was full (503)");
            _meter.CreateObservableCounter("storefront.cpu.expired", () => new Measurement<long>(runner.Expired(), tag), null, "Items skipped: the caller left or the deadline passed");
        }
    }
}
