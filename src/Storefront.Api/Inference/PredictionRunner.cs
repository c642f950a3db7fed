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

    /// <summary>
    /// Scores on a worker. The first requests wait for the model to load (seconds) before they are queued, so the wait
    /// does not count against the deadline, which is for the queue and the work.
    /// </summary>
    public Task<Prediction> PredictAsync(string text, CancellationToken cancellationToken)
    {
        var ready = classifier.ReadyAsync(cancellationToken);
        return ready.IsCompletedSuccessfully ? Run(text, cancellationToken) : RunWhenReadyAsync(ready, text, cancellationToken);
    }

    private async Task<Prediction> RunWhenReadyAsync(Task ready, string text, CancellationToken cancellationToken)
    {
        await ready;
        return await Run(text, cancellationToken);
    }

    private Task<Prediction> Run(string text, CancellationToken cancellationToken) =>
        Runner.RunAsync(text, TimeSpan.FromMilliseconds(_pool.DeadlineMs), cancellationToken);

    public void Dispose() => Runner.Dispose();
}
