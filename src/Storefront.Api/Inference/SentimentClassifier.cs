using Storefront.Api.Inference.Sentiment;

namespace Storefront.Api.Inference;

/// <summary>
/// The shipped sentiment model. Its file is checked at startup (missing, not a zip, damaged, or without a model's
/// entries: the service stops at once), but the model is loaded on the first /predict: the loaded model and the ML.NET
/// code that reads it are about 20 MiB that a process which never classifies does not carry
/// (docs/decisions/sentiment-model-loaded-on-first-use.md). The runner calls it on its worker threads only, and the
/// model keeps one ML.NET PredictionEngine per thread, so each worker scores its micro-batches on an engine of its own.
/// </summary>
public sealed class SentimentClassifier : ITextClassifier, IDisposable
{
    private readonly Lazy<SentimentModel> _model;
    private readonly Lazy<Task> _loading;

    private SentimentClassifier(string path)
    {
        // A failed load is kept: every later request gets the same error rather than another multi-second attempt.
        _model = new Lazy<SentimentModel>(() => Load(path), LazyThreadSafetyMode.ExecutionAndPublication);
        // Loading takes seconds of CPU: a thread of its own, neither a request thread nor a CPU runner's worker.
        _loading = new Lazy<Task>(() => Task.Factory.StartNew(() => _model.Value, CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default));
    }

    /// <summary>Whether the model has been loaded (by a first /predict, or by <see cref="Model"/>).</summary>
    public bool IsLoaded => _model.IsValueCreated;

    /// <summary>The loaded model; loads it on the calling thread if no request has yet.</summary>
    public SentimentModel Model => _model.Value;

    /// <exception cref="InvalidOperationException">The configured file is missing.</exception>
    /// <exception cref="InvalidDataException">The file is not a readable ML.NET model archive.</exception>
    public static SentimentClassifier Open(IOptions<InferenceOptions> options)
    {
        var path = Path.IsPathRooted(options.Value.ModelPath)
            ? options.Value.ModelPath
            : Path.Combine(AppContext.BaseDirectory, options.Value.ModelPath);
        if (!File.Exists(path))
            throw new InvalidOperationException(
                $"The sentiment model file is missing: {path}. Set Inference__ModelPath, or train one with `dotnet run --project src/Storefront.Train`.");
        SentimentModel.CheckFile(path);
        return new SentimentClassifier(path);
    }

    /// <summary>
    /// Not an <see cref="InvalidDataException"/>, which the error handler answers as a malformed request (400): a model
    /// that cannot be loaded is the service's fault (500).
    /// </summary>
    private static SentimentModel Load(string path)
    {
        try
        {
            return SentimentModel.LoadShared(path);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidOperationException($"The sentiment model {path} passed the startup check but could not be loaded: {ex.Message}", ex);
        }
    }

    public Task ReadyAsync(CancellationToken cancellationToken) =>
        _model.IsValueCreated ? Task.CompletedTask : _loading.Value.WaitAsync(cancellationToken);

    public void ClassifyBatch(ReadOnlySpan<string> texts, Span<Prediction> results) => _model.Value.PredictBatch(texts, results);

    public void Dispose()
    {
        if (_model.IsValueCreated) _model.Value.Dispose();
    }
}
