using System.Collections.Concurrent;
using System.IO.Compression;
using Microsoft.ML;

namespace Storefront.Api.Inference.Sentiment;

/// <summary>
/// The ML.NET model behind /predict (an ML.NET .zip: text featurization and a calibrated linear classifier, trained by
/// src/Storefront.Train). The loaded transformer is immutable and shared; a PredictionEngine is not thread-safe, so each
/// thread that scores gets one engine of its own, made on its first call and reused for every call after (the CPU
/// runner's workers are long-lived threads: one engine per worker, never one per request).
/// </summary>
public sealed class SentimentModel : IDisposable
{
    /// <summary>
    /// Files already loaded by this process, by path and version. Loading takes seconds (docs/benchmarks-notes.md:
    /// ML.NET's loaders are JIT-compiled, then the n-gram dictionaries are read), while the
    /// loaded transformer is immutable and thread-safe: a process that starts many hosts (the tests) pays it once.
    /// </summary>
    private static readonly ConcurrentDictionary<string, Lazy<(MLContext Context, ITransformer Transformer)>> Loaded = new();

    /// <summary>Entries every ML.NET model archive has: the transformer chain and the input schema.</summary>
    private static readonly string[] RequiredEntries = ["TransformerChain/Model.key", "Schema"];

    private readonly MLContext _context;
    private readonly ITransformer _transformer;
    private readonly ThreadLocal<Scorer> _scorers;
    private readonly Lock _creating = new();
    private int _disposed;

    private SentimentModel(MLContext context, ITransformer transformer)
    {
        _context = context;
        _transformer = transformer;
        _scorers = new ThreadLocal<Scorer>(CreateScorer, trackAllValues: true);
    }

    /// <summary>
    /// A new engine for the calling thread. Made under a lock because the context and transformer are shared, and ML.NET
    /// documents neither as safe for concurrent engine creation; it happens once per thread, so the lock costs nothing.
    /// </summary>
    private Scorer CreateScorer()
    {
        lock (_creating)
        {
            return new Scorer(_context.Model.CreatePredictionEngine<SentimentInput, SentimentOutput>(_transformer));
        }
    }

    /// <summary>Engines made so far: one per thread that has scored.</summary>
    public int Engines => _scorers.Values.Count;

    /// <summary>
    /// Checks a model file without loading it, in milliseconds where loading takes seconds, and without running any of
    /// ML.NET's code: a zip archive with a transformer chain and a schema, every entry of which decompresses. A file
    /// that passes can still fail <see cref="Load(string)"/> (columns that do not fit): only loading tells.
    /// </summary>
    /// <exception cref="InvalidDataException">Not a zip archive, damaged, or without a model's entries.</exception>
    public static void CheckFile(string path)
    {
        using var stream = File.OpenRead(path);
        Check(stream);
    }

    /// <inheritdoc cref="CheckFile"/>
    public static void Check(Stream stream)
    {
        try
        {
            using var archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            var missing = RequiredEntries.FirstOrDefault(name => archive.GetEntry(name) is null);
            if (missing is not null) throw new InvalidDataException($"the archive has no {missing} entry.");
            foreach (var entry in archive.Entries)
            {
                // A damaged compressed stream shows here (the zip reader checks no checksum).
                using var content = entry.Open();
                content.CopyTo(Stream.Null);
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or ArgumentException or NotSupportedException)
        {
            throw new InvalidDataException($"Not a usable sentiment model: {ex.Message}", ex);
        }
    }

    /// <exception cref="InvalidDataException">Not an ML.NET model, or one without a Text input or a Probability output.</exception>
    public static SentimentModel Load(string path)
    {
        using var stream = File.OpenRead(path);
        return Load(stream);
    }

    /// <summary>
    /// <see cref="Load(string)"/>, but a file this process has loaded before (same path, size and time) is not read again:
    /// the new instance shares its transformer and makes engines of its own.
    /// </summary>
    /// <inheritdoc cref="Load(string)"/>
    public static SentimentModel LoadShared(string path)
    {
        var file = new FileInfo(path);
        var key = FormattableString.Invariant($"{file.FullName}|{file.Length}|{file.LastWriteTimeUtc.Ticks}");
        var (context, transformer) = Loaded.GetOrAdd(key, _ => new Lazy<(MLContext, ITransformer)>(() =>
        {
            using var stream = file.OpenRead();
            return Read(stream);
        })).Value;
        return Ready(context, transformer);
    }

    /// <inheritdoc cref="Load(string)"/>
    public static SentimentModel Load(Stream stream)
    {
        var (context, transformer) = Read(stream);
        return Ready(context, transformer);
    }

    private static (MLContext, ITransformer) Read(Stream stream)
    {
        var context = new MLContext(seed: 0);
        try
        {
            return (context, context.Model.Load(stream, out _));
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or ArgumentException or IOException)
        {
            throw new InvalidDataException($"Not a usable sentiment model: {ex.Message}", ex);
        }
    }

    private static SentimentModel Ready(MLContext context, ITransformer transformer)
    {
        var model = new SentimentModel(context, transformer);
        try
        {
            // Score once now: a model whose columns do not fit fails at startup, not on the first request, and the
            // first engine's one-off costs (schema binding, JIT) are paid before traffic arrives.
            model.Predict("ready");
            return model;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            model.Dispose();
            throw new InvalidDataException($"Not a usable sentiment model: {ex.Message}", ex);
        }
    }

    /// <summary>Scores one text on the calling thread's engine. Deterministic: the same text always gets the same score.</summary>
    public Prediction Predict(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _scorers.Value!.Predict(text);
    }

    /// <summary>Scores <paramref name="texts"/> into the first texts.Length slots of <paramref name="results"/>, each as <see cref="Predict"/> would.</summary>
    public void PredictBatch(ReadOnlySpan<string> texts, Span<Prediction> results)
    {
        if (results.Length < texts.Length) throw new ArgumentException("There must be a result slot for every text.", nameof(results));
        var scorer = _scorers.Value!;
        for (var i = 0; i < texts.Length; i++) results[i] = scorer.Predict(texts[i]);
    }

    /// <summary>Disposes the engines; safe to call more than once (the container may reach it through two registrations).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        foreach (var scorer in _scorers.Values) scorer.Dispose();
        _scorers.Dispose();
    }

    /// <summary>One thread's engine with its input and output rows, reused so a prediction allocates nothing of its own.</summary>
    private sealed class Scorer(PredictionEngine<SentimentInput, SentimentOutput> engine) : IDisposable
    {
        private readonly SentimentInput _input = new();
        private SentimentOutput _output = new();

        public Prediction Predict(string text)
        {
            _input.Text = text;
            engine.Predict(_input, ref _output);
            return Prediction.FromScore(_output.Probability);
        }

        public void Dispose() => engine.Dispose();
    }
}
