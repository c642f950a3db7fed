using Microsoft.Extensions.Options;
using Storefront.Api.Inference.Sentiment;

namespace Storefront.Api.Inference;

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
