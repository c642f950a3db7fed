namespace Storefront.Api.Inference.Sentiment;

/// <summary>
/// Logistic regression over hashed n-gram features: P(positive) = σ(bias + w·x). Immutable once built, so one
/// instance serves any number of threads at once; load it once at startup.
/// </summary>
public sealed class SentimentModel
{
    private readonly float[] _weights;
    private readonly SentimentFeaturizer _featurizer;

    /// <param name="weights">One per hash bucket; the model keeps the array, so the caller must not change it afterwards.</param>
    internal SentimentModel(FeaturizerSettings settings, float[] weights, double bias)
    {
        _featurizer = new SentimentFeaturizer(settings);
        if (weights.Length != settings.Dimension) throw new ArgumentException($"Expected {settings.Dimension} weights, got {weights.Length}.", nameof(weights));
        if (!double.IsFinite(bias)) throw new ArgumentException("The bias must be finite.", nameof(bias));
        _weights = weights;
        Bias = bias;
        NonZeroWeights = weights.Count(w => w != 0);
    }

    public FeaturizerSettings Settings => _featurizer.Settings;

    public double Bias { get; }

    /// <summary>Hash buckets with a weight; only these are stored in the model file.</summary>
    public int NonZeroWeights { get; }

    internal ReadOnlySpan<float> Weights => _weights;

    /// <summary>
    /// Scores one text. Text without any word (empty, whitespace, punctuation) has no features and gets σ(bias),
    /// the model's prior: about 0.5 on the balanced training data.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public Prediction Predict(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Prediction.FromScore(Sigmoid(Bias + _featurizer.Dot(text, _weights)));
    }

    /// <summary>
    /// Scores <paramref name="texts"/> into the first texts.Length slots of <paramref name="results"/>; each result
    /// is bit-identical to <see cref="Predict"/> of the same text.
    /// </summary>
    public void PredictBatch(ReadOnlySpan<string> texts, Span<Prediction> results)
    {
        if (results.Length < texts.Length) throw new ArgumentException("There must be a result slot for every text.", nameof(results));
        for (var i = 0; i < texts.Length; i++) results[i] = Predict(texts[i]);
    }

    /// <exception cref="InvalidDataException">Not a sentiment model, an unsupported version, corrupt or truncated.</exception>
    public static SentimentModel Load(Stream stream) => SentimentModelFile.Read(stream);

    /// <inheritdoc cref="Load(Stream)"/>
    public static SentimentModel Load(string path)
    {
        using var stream = File.OpenRead(path);
        return Load(stream);
    }

    public void Save(Stream stream) => SentimentModelFile.Write(this, stream);

    /// <summary>σ(z) in the form that neither overflows nor loses the small tail for large |z|.</summary>
    private static double Sigmoid(double z)
    {
        if (z >= 0) return 1 / (1 + Math.Exp(-z));
        var e = Math.Exp(z);
        return e / (1 + e);
    }
}
