using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Transforms.Text;

namespace Storefront.Train;

/// <summary>A training row: the text and its label (true = positive). Column names match the service's SentimentInput.</summary>
public sealed class SentimentRow
{
    public string Text { get; set; } = "";

    public bool Label { get; set; }
}

/// <summary>
/// One way to turn the text into the Features column, built from ML.NET's text transforms. <see cref="CostRank"/> orders
/// the featurizations by what a prediction costs (0 the cheapest), as measured (docs/model.md): the choice prefers the
/// cheaper of two featurizations whose accuracy cannot be told apart, and a rank keeps that choice the same on every run
/// where a timing would not.
/// </summary>
public sealed record FeaturizerCandidate(string Name, int CostRank, Func<MLContext, IEstimator<ITransformer>> Featurize);

/// <summary>One linear classifier; its output column Probability is P(positive).</summary>
public sealed record TrainerCandidate(string Name, Func<MLContext, IEstimator<ITransformer>> Create);

/// <summary>A featurization and a classifier, tried together on the validation split.</summary>
public sealed record ModelCandidate(FeaturizerCandidate Featurizer, TrainerCandidate Trainer)
{
    public string Name => $"{Featurizer.Name}; {Trainer.Name}";
}

/// <summary>
/// The model's pipeline: ML.NET's text transforms (word n-grams with TF-IDF, character n-grams, L2-normalised)
/// followed by a linear binary classifier whose output is calibrated to a probability.
/// </summary>
public static class SentimentPipeline
{
    /// <summary>
    /// The featurizations tried, cheapest first. They differ in the character n-grams, which are most of the n-grams of a
    /// text and so most of the cost of a prediction: ML.NET builds, looks up, sorts and copies every n-gram a text has
    /// (docs/model.md has the profile). A dictionary look-up of a character 5-gram (ML.NET's sequence pool) costs several
    /// times the hash that replaces it in the hashed featurization.
    /// </summary>
    public static IReadOnlyList<FeaturizerCandidate> Featurizers { get; } =
    [
        new("word 1-2", 0, ml => FeaturizeText(ml, characters: null)),
        new(WordsAndHashedCharacters, 1, HashedCharacters),
        new("word 1-2 + char 5", 2, ml => FeaturizeText(ml, Characters(5, allLengths: false))),
        new("word 1-2 + char 1-5", 3, ml => FeaturizeText(ml, Characters(5, allLengths: true))),
    ];

    /// <summary>The shipped model's featurization.</summary>
    public const string WordsAndHashedCharacters = "word 1-2 + hashed char 5";

    /// <summary>Bits of the hashed character 5-grams; docs/model.md has how many 5-grams share a slot.</summary>
    public const int CharacterHashBits = 18;

    /// <summary>
    /// The classifiers tried with each featurization. Each runs on one thread so that the same data gives the same model
    /// (L-BFGS otherwise splits the work by thread count, which reorders floating-point sums). L-BFGS's default
    /// penalties (L1 = L2 = 1) are far too strong for L2-normalised features of a few thousand sentences, hence the L2
    /// values tried and no L1; SDCA and the averaged perceptron scored lower on the first featurization
    /// (docs/model.md keeps that table).
    /// </summary>
    public static IReadOnlyList<TrainerCandidate> Trainers { get; } =
        [.. new[] { 0.01f, 0.03f }.Select(Lbfgs)];

    /// <summary>Every featurization with every classifier: the candidates the trainer scores on the validation split.</summary>
    public static IReadOnlyList<ModelCandidate> Candidates { get; } =
        [.. Featurizers.SelectMany(f => Trainers.Select(t => new ModelCandidate(f, t)))];

    public static TrainerCandidate Lbfgs(float l2) => new(
        string.Create(CultureInfo.InvariantCulture, $"LbfgsLogisticRegression L2={l2}"),
        ml => ml.BinaryClassification.Trainers.LbfgsLogisticRegression(
            new LbfgsLogisticRegressionBinaryTrainer.Options { NumberOfThreads = 1, L2Regularization = l2, L1Regularization = 0 }));

    /// <summary>
    /// Lower-case, no diacritics or punctuation (TF-IDF and dropping punctuation each scored better than ML.NET's
    /// defaults), word 1–2-grams, the given character n-grams, the whole vector L2-normalised.
    /// </summary>
    public static TextFeaturizingEstimator.Options Featurizer(WordBagEstimator.Options? characters) => new()
    {
        CaseMode = TextNormalizingEstimator.CaseMode.Lower,
        KeepDiacritics = false,
        KeepPunctuations = false,
        KeepNumbers = true,
        WordFeatureExtractor = new WordBagEstimator.Options
        {
            NgramLength = 2, UseAllLengths = true, Weighting = NgramExtractingEstimator.WeightingCriteria.TfIdf,
        },
        CharFeatureExtractor = characters,
        Norm = TextFeaturizingEstimator.NormFunction.L2,
    };

    private static TextFeaturizingEstimator FeaturizeText(MLContext ml, WordBagEstimator.Options? characters) =>
        ml.Transforms.Text.FeaturizeText(FeaturesColumn, Featurizer(characters), nameof(SentimentRow.Text));

    private static WordBagEstimator.Options Characters(int length, bool allLengths) => new()
    {
        NgramLength = length, UseAllLengths = allLengths, Weighting = NgramExtractingEstimator.WeightingCriteria.TfIdf,
    };

    /// <summary>
    /// <c>FeaturizeText</c>'s steps by hand, with the character 5-grams hashed instead of looked up in a dictionary: the
    /// text normalised once (lower case, no punctuation; diacritics kept, which saves a table look-up per character and
    /// changed no validation score), word 1–2-grams with TF-IDF from a dictionary as before (a few per text), character
    /// 5-grams with start and end markers counted into hashed slots (ML.NET's hashed n-grams have no IDF weighting).
    /// Each block is L2-normalised on its own before they are joined: without IDF a review's many character 5-grams
    /// would outweigh its few word n-grams in one common norm, and a common norm scored lower on validation (docs/model.md).
    /// </summary>
    private static EstimatorChain<ColumnConcatenatingTransformer> HashedCharacters(MLContext ml) =>
        ml.Transforms.Text.NormalizeText("NormalizedText", nameof(SentimentRow.Text), TextNormalizingEstimator.CaseMode.Lower,
                keepDiacritics: true, keepPunctuations: false, keepNumbers: true)
            .Append(ml.Transforms.Text.TokenizeIntoWords("Words", "NormalizedText"))
            .Append(ml.Transforms.Conversion.MapValueToKey("WordKeys", "Words"))
            .Append(ml.Transforms.Text.ProduceNgrams("WordNgrams", "WordKeys", ngramLength: 2, useAllLengths: true,
                weighting: NgramExtractingEstimator.WeightingCriteria.TfIdf))
            .Append(ml.Transforms.NormalizeLpNorm("WordFeatures", "WordNgrams"))
            .Append(ml.Transforms.Text.TokenizeIntoCharactersAsKeys("Characters", "NormalizedText", useMarkerCharacters: true))
            .Append(ml.Transforms.Text.ProduceHashedNgrams("CharacterNgrams", "Characters", numberOfBits: CharacterHashBits,
                ngramLength: 5, useAllLengths: false))
            .Append(ml.Transforms.NormalizeLpNorm("CharacterFeatures", "CharacterNgrams"))
            .Append(ml.Transforms.Concatenate(FeaturesColumn, "WordFeatures", "CharacterFeatures"));

    public static IEstimator<ITransformer> Build(MLContext ml, ModelCandidate candidate) =>
        candidate.Featurizer.Featurize(ml)
            .AppendCacheCheckpoint(ml)
            .Append(candidate.Trainer.Create(ml));

    public const string FeaturesColumn = "Features";

    public static IDataView Load(MLContext ml, IEnumerable<LabelledSentence> sentences) =>
        ml.Data.LoadFromEnumerable(sentences.Select(s => new SentimentRow { Text = s.Text, Label = s.IsPositive }).ToList());

    public static CalibratedBinaryClassificationMetrics Evaluate(MLContext ml, ITransformer model, IEnumerable<LabelledSentence> sentences) =>
        ml.BinaryClassification.Evaluate(model.Transform(Load(ml, sentences)));

    /// <summary>The mean number of non-zero features a sentence gets: what a prediction's cost grows with.</summary>
    public static double FeaturesPerText(MLContext ml, ITransformer model, IEnumerable<LabelledSentence> sentences) =>
        model.Transform(Load(ml, sentences)).GetColumn<VBuffer<float>>(FeaturesColumn)
            .Average(features => features.GetValues().Length);
}
