namespace Storefront.Api.Inference.Sentiment;

/// <summary>
/// What <see cref="SentimentFeaturizer"/> extracts. A model's weights only mean something under the settings it was
/// trained with, so they are stored in the model file and a loaded model always featurizes with its own.
/// </summary>
/// <param name="HashBits">Features are hashed into 2^HashBits buckets.</param>
/// <param name="MaxWordNgram">1: word unigrams; 2: unigrams and bigrams.</param>
/// <param name="MinCharNgram">Shortest character n-gram inside a space-padded word; 0 with MaxCharNgram 0: none.</param>
/// <param name="MaxCharNgram">Longest character n-gram.</param>
/// <param name="NegationScope">Words after a negation ("not", "never", "…n't") that get a negated unigram; 0: off.</param>
/// <param name="SublinearTf">Feature value 1 + ln(count) instead of 1 (binary) before L2 normalisation.</param>
public sealed record FeaturizerSettings(
    int HashBits, int MaxWordNgram, int MinCharNgram, int MaxCharNgram, int NegationScope, bool SublinearTf)
{
    /// <summary>The shipped model's settings, chosen on validation splits of the training part (docs/model.md).</summary>
    public static FeaturizerSettings Default { get; } = new(
        HashBits: 18, MaxWordNgram: 2, MinCharNgram: 2, MaxCharNgram: 5, NegationScope: 3, SublinearTf: true);

    public int Dimension => 1 << HashBits;

    /// <exception cref="ArgumentException">A setting is out of the supported range.</exception>
    public void Validate()
    {
        // Bounded so that a model file can never make the service allocate more than 2^24 weights.
        if (HashBits is < 10 or > 24) throw new ArgumentException($"HashBits must be 10..24, not {HashBits}.");
        if (MaxWordNgram is < 1 or > 2) throw new ArgumentException($"MaxWordNgram must be 1 or 2, not {MaxWordNgram}.");
        var noCharGrams = MinCharNgram == 0 && MaxCharNgram == 0;
        if (!noCharGrams && (MinCharNgram < 1 || MaxCharNgram < MinCharNgram || MaxCharNgram > 8))
            throw new ArgumentException($"Character n-grams must satisfy 1 <= min <= max <= 8 (or both 0), not {MinCharNgram}..{MaxCharNgram}.");
        if (NegationScope is < 0 or > 10) throw new ArgumentException($"NegationScope must be 0..10, not {NegationScope}.");
    }
}
