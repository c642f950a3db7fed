using Storefront.Api.Inference.Sentiment;

namespace Storefront.Api.Inference;

/// <summary>
/// Anything that classifies text in batches. The sentiment model is one; a heavier model (ONNX, a larger
/// linear model) plugs in by registering another implementation, without touching the endpoint or runner.
/// Implementations must be thread-safe: several worker threads call them at once.
/// </summary>
public interface ITextClassifier
{
    void ClassifyBatch(ReadOnlySpan<string> texts, Span<Prediction> results);

    /// <summary>
    /// Completes once <see cref="ClassifyBatch"/> can run without a long first-use cost (a model loaded on first use);
    /// faults if it never can. The runner awaits it before a request's deadline starts.
    /// </summary>
    Task ReadyAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
