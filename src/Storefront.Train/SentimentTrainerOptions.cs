using Storefront.Api.Inference.Sentiment;

namespace Storefront.Train;

/// <summary>How <see cref="SentimentTrainer"/> trains; the defaults produce the shipped model.</summary>
public sealed record SentimentTrainerOptions
{
    public FeaturizerSettings Featurizer { get; init; } = FeaturizerSettings.Default;

    /// <summary>The L2 strengths λ tried on the validation split.</summary>
    public IReadOnlyList<double> L2Candidates { get; init; } = [1e-5, 3e-5, 1e-4, 3e-4];

    /// <summary>The smoothing counts α of the naive Bayes feature scaling tried on the validation split.</summary>
    public IReadOnlyList<double> NaiveBayesSmoothingCandidates { get; init; } = [0.1, 0.25, 0.5];

    public double TestFraction { get; init; } = SentimentDataset.DefaultTestFraction;

    public ulong SplitSeed { get; init; } = SentimentDataset.DefaultSplitSeed;

    /// <summary>The share of the training part held out to choose λ and α.</summary>
    public double ValidationFraction { get; init; } = 0.2;

    public ulong ValidationSeed { get; init; } = 1;

    public int MaxIterations { get; init; } = 300;

    /// <summary>L-BFGS stops once no gradient component exceeds this.</summary>
    public double Tolerance { get; init; } = 1e-6;
}

/// <summary>One (λ, α) tried: trained on the rest of the training part, scored on the validation split.</summary>
public sealed record ValidationResult(double L2, double NaiveBayesSmoothing, double Accuracy, double LogLoss);

/// <summary>The trained model and how it did; <see cref="Test"/> is on sentences it never saw, in training or tuning.</summary>
public sealed record SentimentTrainingResult(
    SentimentModel Model, ValidationResult Chosen, IReadOnlyList<ValidationResult> Validation,
    ClassificationMetrics Test, double TrainAccuracy, int TrainCount, int TestCount);
