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

/// <summary>One way to turn the text into the Features column: ML.NET's text featurizer with these options.</summary>
public sealed record FeaturizerCandidate(string Name, TextFeaturizingEstimator.Options Options);

/// <summary>One linear classifier; its output column Probability is P(positive).</summary>
public sealed record TrainerCandidate(string Name, Func<MLContext, IEstimator<ITransformer>> Create);

/// <summary>A featurization and a classifier, tried together on the validation split.</summary>
public sealed record ModelCandidate(FeaturizerCandidate Featurizer, TrainerCandidate Trainer)
{
    public string Name => $"{Featurizer.Name}; {Trainer.Name}";
}

/// <summary>
/// The model's pipeline: ML.NET's text featurizer (word n-grams and character n-grams, TF-IDF, L2-normalised)
/// followed by a linear binary classifier whose output is calibrated to a probability.
/// </summary>
public static class SentimentPipeline
{
    /// <summary>
    /// The featurizations tried. They differ only in the character n-grams, which are most of the features of a text and
    /// so most of the cost of a prediction: ML.NET builds, sorts and copies every n-gram a text has (docs/model.md has
    /// the profile), and 1–5-grams are five per character where 5-grams alone are one.
    /// </summary>
    public static IReadOnlyList<FeaturizerCandidate> Featurizers { get; } =
    [
        new("word 1-2 + char 1-5", Featurizer(Characters(5, allLengths: true))),
        new("word 1-2 + char 1-3", Featurizer(Characters(3, allLengths: true))),
        new("word 1-2 + char 4", Featurizer(Characters(4, allLengths: false))),
        new("word 1-2 + char 5", Featurizer(Characters(5, allLengths: false))),
        new("word 1-2", Featurizer(characters: null)),
    ];

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

    private static WordBagEstimator.Options Characters(int length, bool allLengths) => new()
    {
        NgramLength = length, UseAllLengths = allLengths, Weighting = NgramExtractingEstimator.WeightingCriteria.TfIdf,
    };

    public static IEstimator<ITransformer> Build(MLContext ml, ModelCandidate candidate) =>
        ml.Transforms.Text.FeaturizeText(FeaturesColumn, candidate.Featurizer.Options, nameof(SentimentRow.Text))
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
