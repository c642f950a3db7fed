using Microsoft.ML;
using Storefront.Api.Inference.Sentiment;

namespace Storefront.Train;

/// <summary>
/// Trains the sentiment model with ML.NET: every candidate (a featurization and a classifier) is fitted on part of the
/// training split and scored on the rest (the validation split), the best one is refitted on the whole training split,
/// and that model is scored once on the held-out test split.
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
        var costTexts = PredictionCost.ReviewLengthTexts(tuning.Test.Select(s => s.Text));
        var validation = options.Candidates.Select(candidate =>
        {
            var model = SentimentPipeline.Build(ml, candidate).Fit(tuningData);
            var metrics = SentimentPipeline.Evaluate(ml, model, tuning.Test);
            return new ValidationResult(
                candidate.Featurizer.Name, candidate.Trainer.Name, metrics.Accuracy, metrics.AreaUnderRocCurve, metrics.LogLoss,
                SentimentPipeline.FeaturesPerText(ml, model, tuning.Test),
                options.MeasureCost ? Cost(ml, model, tuningData.Schema, costTexts) : double.NaN);
        }).ToList();
        // A few hundred validation sentences often give several candidates the same accuracy. Fewer features per text
        // breaks such a tie (a prediction's cost grows with them, and unlike a timing they are the same on every run),
        // then log-loss.
        var chosen = validation.OrderByDescending(v => v.Accuracy).ThenBy(v => v.FeaturesPerText).ThenBy(v => v.LogLoss).First();

        var trainData = SentimentPipeline.Load(ml, split.Train);
        var final = SentimentPipeline.Build(ml, options.Candidates.Single(c => c.Name == chosen.Name)).Fit(trainData);
        return new SentimentTrainingResult(
            ml, final, trainData.Schema, chosen, validation, SentimentPipeline.Evaluate(ml, final, split.Test),
            SentimentPipeline.Evaluate(ml, final, split.Train).Accuracy, split.Train.Count, split.Test.Count);
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
