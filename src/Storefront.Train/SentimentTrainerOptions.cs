using Microsoft.ML;
using Microsoft.ML.Data;

namespace Storefront.Train;

/// <summary>How <see cref="SentimentTrainer"/> trains; the defaults produce the shipped model.</summary>
public sealed record SentimentTrainerOptions
{
    public IReadOnlyList<ModelCandidate> Candidates { get; init; } = SentimentPipeline.Candidates;

    /// <summary>Time each candidate's predictions (<see cref="PredictionCost"/>); about a second per candidate.</summary>
    public bool MeasureCost { get; init; } = true;

    public double TestFraction { get; init; } = SentimentDataset.DefaultTestFraction;

    public ulong SplitSeed { get; init; } = SentimentDataset.DefaultSplitSeed;

    /// <summary>The share of the training part held out to choose the trainer.</summary>
    public double ValidationFraction { get; init; } = 0.2;

    public ulong ValidationSeed { get; init; } = 1;

    /// <summary>MLContext's seed: fixes anything random in the pipeline.</summary>
    public int Seed { get; init; } = 1;
}

/// <summary>
/// One candidate tried: fitted on the rest of the training part, scored on the validation split. FeaturesPerText is the
/// mean count of non-zero features of a validation sentence; MicrosecondsPerPrediction the CPU of one prediction on a
/// review-length text (<see cref="PredictionCost"/>), NaN when not measured. CrossValidatedAccuracy is the mean accuracy
/// of a <see cref="SentimentTrainer.Folds"/>-fold cross-validation on the whole training split, what the choice is made on.
/// </summary>
public sealed record ValidationResult(
    string Featurizer, string Trainer, double Accuracy, double AreaUnderRocCurve, double LogLoss, double FeaturesPerText,
    double MicrosecondsPerPrediction, double CrossValidatedAccuracy, int CostRank)
{
    public string Name => $"{Featurizer}; {Trainer}";
}

/// <summary>The trained model and how it did; <see cref="Test"/> is on sentences it never saw, in training or choosing.</summary>
public sealed record SentimentTrainingResult(
    MLContext Context, ITransformer Model, DataViewSchema InputSchema, ValidationResult Chosen, IReadOnlyList<ValidationResult> Validation,
    CalibratedBinaryClassificationMetrics Test, double TrainAccuracy, int TrainCount, int TestCount);
