using Microsoft.ML;
using Storefront.Api.Inference.Sentiment;

namespace Storefront.Train;

/// <summary>
/// Trains the sentiment model with ML.NET: every candidate (a featurization and a classifier) is cross-validated on the
/// training split, and also fitted on part of it and scored on the rest (the validation split, for the table); the chosen
/// one is refitted on the whole training split, and that model is scored once on the held-out test split.
/// </summary>
public static class SentimentTrainer
{
    /// <summary>Folds of the cross-validation on the training split.</summary>
    public const int Folds = 10;

    /// <summary>
    /// How far below the best cross-validated accuracy a cheaper featurization may score and still be chosen: a trade of
    /// accuracy for the cost of a prediction, set with the figures in view (docs/model.md has them, and the standard
    /// error of a cross-validated mean on this data).
    /// </summary>
    public const double AccuracyTolerance = 0.015;

    public static SentimentTrainingResult Train(SentimentDataset dataset, SentimentTrainerOptions? options = null)
    {
        options ??= new SentimentTrainerOptions();
        if (options.Candidates.Count == 0) throw new ArgumentException("At least one trainer candidate is needed.", nameof(options));
        var split = dataset.Split(options.TestFraction, options.SplitSeed);
        var tuning = SentimentDataset.StratifiedSplit(split.Train, options.ValidationFraction, options.ValidationSeed);
        RequireBothClasses(tuning.Train, "training part of the validation split");
        RequireBothClasses(tuning.Test, "validation part");
        RequireBothClasses(split.Test, "test part");

        var ml = new MLContext(options.Seed);
        var tuningData = SentimentPipeline.Load(ml, tuning.Train);
        var costTexts = PredictionCost.ReviewLengthTexts(tuning.Test.Select(s => s.Text));
        var trainData = SentimentPipeline.Load(ml, split.Train);
        var validation = options.Candidates.Select(candidate =>
        {
            var model = SentimentPipeline.Build(ml, candidate).Fit(tuningData);
            var metrics = SentimentPipeline.Evaluate(ml, model, tuning.Test);
            var folds = ml.BinaryClassification.CrossValidate(trainData, SentimentPipeline.Build(ml, candidate), Folds, seed: options.Seed);
            return new ValidationResult(
                candidate.Featurizer.Name, candidate.Trainer.Name, metrics.Accuracy, metrics.AreaUnderRocCurve, metrics.LogLoss,
                SentimentPipeline.FeaturesPerText(ml, model, tuning.Test),
                options.MeasureCost ? Cost(ml, model, tuningData.Schema, costTexts) : double.NaN,
                folds.Average(f => f.Metrics.Accuracy), candidate.Featurizer.CostRank);
        }).ToList();
        var chosen = Choose(validation);

        var final = SentimentPipeline.Build(ml, options.Candidates.Single(c => c.Name == chosen.Name)).Fit(trainData);
        return new SentimentTrainingResult(
            ml, final, trainData.Schema, chosen, validation, SentimentPipeline.Evaluate(ml, final, split.Test),
            SentimentPipeline.Evaluate(ml, final, split.Train).Accuracy, split.Train.Count, split.Test.Count);
    }

    /// <summary>
    /// One validation split cannot tell most candidates apart (docs/model.md), so the choice is made on the
    /// cross-validated accuracy: among the candidates within <see cref="AccuracyTolerance"/> of the
    /// best, the cheapest featurization, then the better cross-validated accuracy, then the lower log-loss. The rank, not a
    /// timing, stands for the cost, so the same data always gives the same choice.
    /// </summary>
    public static ValidationResult Choose(IReadOnlyList<ValidationResult> candidates)
    {
        var best = candidates.Max(v => v.CrossValidatedAccuracy);
        return candidates.Where(v => v.CrossValidatedAccuracy >= best - AccuracyTolerance)
            .OrderBy(v => v.CostRank).ThenByDescending(v => v.CrossValidatedAccuracy).ThenBy(v => v.LogLoss).First();
    }

    /// <summary>Timed through the file format and the service's loader, as the service will run it.</summary>
    private static double Cost(MLContext ml, ITransformer model, DataViewSchema inputSchema, IReadOnlyList<string> texts)
    {
        using var buffer = new MemoryStream();
        ml.Model.Save(model, inputSchema, buffer);
        buffer.Position = 0;
        using var loaded = SentimentModel.Load(buffer);
        return PredictionCost.Measure(loaded, texts);
    }

    private static void RequireBothClasses(IReadOnlyList<LabelledSentence> sentences, string part)
    {
        if (!sentences.Any(s => s.IsPositive) || !sentences.Any(s => !s.IsPositive))
            throw new InvalidDataException($"Too few sentences to train: the {part} lacks positive or negative examples.");
    }
}
