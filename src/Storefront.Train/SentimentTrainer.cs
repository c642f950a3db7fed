using Microsoft.ML;

namespace Storefront.Train;

/// <summary>
/// Trains the sentiment model with ML.NET: every candidate trainer is fitted on part of the training split and scored
/// on the rest (the validation split), the best one is refitted on the whole training split, and that model is scored
/// once on the held-out test split.
/// </summary>
public static class SentimentTrainer
{
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
        var validation = options.Candidates.Select(candidate =>
        {
            var model = SentimentPipeline.Build(ml, candidate).Fit(tuningData);
            var metrics = SentimentPipeline.Evaluate(ml, model, tuning.Test);
            return new ValidationResult(candidate.Name, metrics.Accuracy, metrics.AreaUnderRocCurve, metrics.LogLoss);
        }).ToList();
        // Log-loss breaks ties: a few hundred validation sentences often give several candidates the same accuracy.
        var chosen = validation.OrderByDescending(v => v.Accuracy).ThenBy(v => v.LogLoss).First();

        var trainData = SentimentPipeline.Load(ml, split.Train);
        var final = SentimentPipeline.Build(ml, options.Candidates.Single(c => c.Name == chosen.Trainer)).Fit(trainData);
        return new SentimentTrainingResult(
            ml, final, trainData.Schema, chosen, validation, SentimentPipeline.Evaluate(ml, final, split.Test),
            SentimentPipeline.Evaluate(ml, final, split.Train).Accuracy, split.Train.Count, split.Test.Count);
    }

    private static void RequireBothClasses(IReadOnlyList<LabelledSentence> sentences, string part)
    {
        if (!sentences.Any(s => s.IsPositive) || !sentences.Any(s => !s.IsPositive))
            throw new InvalidDataException($"Too few sentences to train: the {part} lacks positive or negative examples.");
    }
}
