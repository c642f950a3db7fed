using Microsoft.Extensions.Options;
using Storefront.Api.Compute;
using Storefront.Api.Inference.Sentiment;

namespace Storefront.Api.Inference;

/// <summary>/predict's runner: the classifier on dedicated threads, with micro-batching and back-pressure.</summary>
public sealed class PredictionRunner(ITextClassifier classifier, IOptions<InferenceOptions> options) : IDisposable
{
    private readonly CpuPoolOptions _pool = options.Value.Predict;

    public CpuWorkRunner<string, Prediction> Runner { get; } = new("predict",
        options.Value.Predict.EffectiveThreads, options.Value.Predict.QueueCapacity, options.Value.Predict.MaxBatch,
        classifier.ClassifyBatch);

    public Task<Prediction> PredictAsync(string text, CancellationToken cancellationToken) =>
        Runner.RunAsync(text, TimeSpan.FromMilliseconds(_pool.DeadlineMs), cancellationToken);

    public void Dispose() => Runner.Dispose();
}
