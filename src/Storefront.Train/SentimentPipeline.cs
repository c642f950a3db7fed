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

/// <summary>One linear classifier tried on the validation split; its output column Probability is P(positive).</summary>
public sealed record TrainerCandidate(string Name, Func<MLContext, IEstimator<ITransformer>> Create);

/// <summary>
/// The model's pipeline: ML.NET's text featurizer (word 1–2-grams and character 1–5-grams, TF-IDF, L2-normalised)
/// followed by a linear binary classifier whose output is calibrated to a probability.
/// </summary>
public static class SentimentPipeline
{
    /// <summary>
    /// The trainers tried, the best on the validation split wins. Each runs on one thread so that the same data gives
    /// the same model (SDCA and L-BFGS otherwise split the work by thread count, which reorders floating-point sums).
    /// L-BFGS's default penalties (L1 = L2 = 1) are far too strong for L2-normalised features of a few thousand
    /// sentences (docs/model.md has the validation scores), hence the L2 values tried and no L1.
    /// </summary>
    public static IReadOnlyList<TrainerCandidate> Candidates { get; } =
    [
        new("SdcaLogisticRegression", ml => ml.BinaryClassification.Trainers.SdcaLogisticRegression(
            new SdcaLogisticRegressionBinaryTrainer.Options { NumberOfThreads = 1, Shuffle = false })),
        .. new[] { 0.01f, 0.03f, 0.1f }.Select(l2 => new TrainerCandidate(
            string.Create(CultureInfo.InvariantCulture, $"LbfgsLogisticRegression L2={l2}"),
            ml => ml.BinaryClassification.Trainers.LbfgsLogisticRegression(
                new LbfgsLogisticRegressionBinaryTrainer.Options { NumberOfThreads = 1, L2Regularization = l2, L1Regularization = 0 }))),
        new("AveragedPerceptron+Platt", ml => ml.BinaryClassification.Trainers.AveragedPerceptron(
                new AveragedPerceptronTrainer.Options { NumberOfIterations = 10, Shuffle = false })
            .Append(ml.BinaryClassification.Calibrators.Platt())),
    ];

    /// <summary>
    /// Chosen on the validation split (docs/model.md has the scores): TF-IDF over plain term frequency and dropping
    /// punctuation each scored better; character 1–6-grams scored within noise of 1–5 and cost more.
    /// </summary>
    public static TextFeaturizingEstimator.Options Featurizer() => new()
    {
        CaseMode = TextNormalizingEstimator.CaseMode.Lower,
        KeepDiacritics = false,
        KeepPunctuations = false,
        KeepNumbers = true,
        WordFeatureExtractor = new WordBagEstimator.Options
        {
            NgramLength = 2, UseAllLengths = true, Weighting = NgramExtractingEstimator.WeightingCriteria.TfIdf,
        },
        CharFeatureExtractor = new WordBagEstimator.Options
        {
            NgramLength = 5, UseAllLengths = true, Weighting = NgramExtractingEstimator.WeightingCriteria.TfIdf,
        },
        Norm = TextFeaturizingEstimator.NormFunction.L2,
    };

    public static IEstimator<ITransformer> Build(MLContext ml, TrainerCandidate trainer) =>
        ml.Transforms.Text.FeaturizeText("Features", Featurizer(), nameof(SentimentRow.Text))
            .AppendCacheCheckpoint(ml)
            .Append(trainer.Create(ml));

    public static IDataView Load(MLContext ml, IEnumerable<LabelledSentence> sentences) =>
        ml.Data.LoadFromEnumerable(sentences.Select(s => new SentimentRow { Text = s.Text, Label = s.IsPositive }).ToList());

    public static CalibratedBinaryClassificationMetrics Evaluate(MLContext ml, ITransformer model, IEnumerable<LabelledSentence> sentences) =>
        ml.BinaryClassification.Evaluate(model.Transform(Load(ml, sentences)));
}
