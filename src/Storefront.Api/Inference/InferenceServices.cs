using Microsoft.Extensions.Options;
using Storefront.Api.Compute;
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
}

/// <summary>
/// The shipped sentiment model, loaded once at startup. The runner calls it on its worker threads only, and the model
/// keeps one ML.NET PredictionEngine per thread, so each worker scores its micro-batches on an engine of its own.
/// </summary>
public sealed class SentimentClassifier(SentimentModel model) : ITextClassifier, IDisposable
{
    public SentimentModel Model { get; } = model;

    public static SentimentClassifier Load(IOptions<InferenceOptions> options)
    {
        var path = Path.IsPathRooted(options.Value.ModelPath)
            ? options.Value.ModelPath
            : Path.Combine(AppContext.BaseDirectory, options.Value.ModelPath);
        if (!File.Exists(path))
            throw new InvalidOperationException(
                $"The sentiment model file is missing: {path}. Set Inference__ModelPath, or train one with `dotnet run --project src/Storefront.Train`.");
        return new SentimentClassifier(SentimentModel.LoadShared(path));
    }

    public void ClassifyBatch(ReadOnlySpan<string> texts, Span<Prediction> results) => Model.PredictBatch(texts, results);

    public void Dispose() => Model.Dispose();
}

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

/// <summary>/qr's runner: QRCoder on dedicated threads of its own.</summary>
public sealed class QrRunner(IOptions<InferenceOptions> options) : IDisposable
{
    private readonly CpuPoolOptions _pool = options.Value.Qr;

    public CpuWorkRunner<QrRequest, byte[]> Runner { get; } = new("qr",
        options.Value.Qr.EffectiveThreads, options.Value.Qr.QueueCapacity, options.Value.Qr.MaxBatch, QrCodes.Render);

    public Task<byte[]> RenderAsync(QrRequest request, CancellationToken cancellationToken) =>
        Runner.RunAsync(request, TimeSpan.FromMilliseconds(_pool.DeadlineMs), cancellationToken);

    public void Dispose() => Runner.Dispose();
}
