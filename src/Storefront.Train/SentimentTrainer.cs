using Storefront.Api.Inference.Sentiment;

namespace Storefront.Train;

/// <summary>
/// Trains the sentiment model: logistic regression with L2 regularisation on naive-Bayes-scaled features
/// ("NB-LR", after Wang and Manning's NBSVM, 2012). Each feature is multiplied by its log-count ratio
/// r = ln(P(feature | positive) / P(feature | negative)) before the regression, which lets the penalty fall hardest
/// on n-grams that say nothing about sentiment; on this small data set that is worth about three points of
/// accuracy over plain features. Because the scaling is linear it is folded into the stored weights, so the
/// model itself remains a plain σ(bias + w·x).
/// </summary>
public static class SentimentTrainer
{
    /// <summary>
    /// Splits off the test part, chooses λ and α on a validation split of the training part only, retrains on the
    /// whole training part with them, and scores the result on the test part. Deterministic: same data, same model.
    /// </summary>
    public static SentimentTrainingResult Train(
        SentimentDataset dataset, SentimentTrainerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SentimentTrainerOptions();
        var candidates = options.L2Candidates.SelectMany(l2 => options.NaiveBayesSmoothingCandidates.Select(alpha => (l2, alpha))).ToArray();
        if (candidates.Length == 0) throw new ArgumentException("At least one λ and one α candidate are needed.", nameof(options));
        var featurizer = new SentimentFeaturizer(options.Featurizer);
        var split = dataset.Split(options.TestFraction, options.SplitSeed);
        var tuning = SentimentDataset.StratifiedSplit(split.Train, options.ValidationFraction, options.ValidationSeed);
        RequireBothClasses(tuning.Train, "training part of the validation split");
        RequireBothClasses(tuning.Test, "validation part");
        RequireBothClasses(split.Test, "test part");

        var tuningVectors = Vectorize(featurizer, tuning.Train);
        var tuningLabels = tuning.Train.Select(s => s.IsPositive).ToArray();

        // Each fit is sequential and self-contained, so running the candidates side by side changes only the time.
        var validation = new ValidationResult[candidates.Length];
        Parallel.For(0, candidates.Length, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            var (l2, alpha) = candidates[i];
            var candidate = Fit(featurizer.Settings, tuningVectors, tuningLabels, l2, alpha, options, cancellationToken);
            validation[i] = new ValidationResult(l2, alpha, ClassificationMetrics.Evaluate(candidate, tuning.Test).Accuracy, LogLoss(candidate, tuning.Test));
        });
        // Log-loss breaks ties: a few hundred validation sentences often give several candidates the same accuracy.
        var chosen = validation.OrderByDescending(v => v.Accuracy).ThenBy(v => v.LogLoss).First();

        var model = Fit(
            featurizer.Settings, Vectorize(featurizer, split.Train), split.Train.Select(s => s.IsPositive).ToArray(),
            chosen.L2, chosen.NaiveBayesSmoothing, options, cancellationToken);
        return new SentimentTrainingResult(
            model, chosen, validation, ClassificationMetrics.Evaluate(model, split.Test),
            ClassificationMetrics.Evaluate(model, split.Train).Accuracy, split.Train.Count, split.Test.Count);
    }

    internal static SentimentModel Fit(
        FeaturizerSettings settings, SparseVector[] vectors, bool[] labels, double l2, double naiveBayesSmoothing,
        SentimentTrainerOptions options, CancellationToken cancellationToken)
    {
        // Only buckets the sentences use can get a non-zero weight: solving in that compact space keeps the
        // optimizer's vectors a fraction of the table's size. The mapping keeps bucket order, so rows stay sorted.
        var used = vectors.SelectMany(v => v.Indices).Distinct().Order().ToArray();
        var compact = new int[settings.Dimension];
        for (var i = 0; i < used.Length; i++) compact[used[i]] = i;
        var rows = Array.ConvertAll(vectors, v => new SparseVector(Array.ConvertAll(v.Indices, b => compact[b]), v.Values));
        var ratios = LogCountRatios(rows, labels, used.Length, naiveBayesSmoothing);
        var scaled = Array.ConvertAll(rows, row => new SparseVector(row.Indices, row.Values.Select((value, k) => value * ratios[row.Indices[k]]).ToArray()));

        var (solved, bias) = LogisticRegression.Fit(scaled, labels, used.Length, l2, options.MaxIterations, options.Tolerance, cancellationToken);
        var weights = new float[settings.Dimension];
        for (var i = 0; i < used.Length; i++) weights[used[i]] = (float)(solved[i] * ratios[i]);
        return new SentimentModel(settings, weights, bias);
    }

    /// <summary>r = ln((p / ‖p‖₁) / (q / ‖q‖₁)), p and q being α plus the positive and negative sentences with the feature.</summary>
    private static double[] LogCountRatios(SparseVector[] rows, bool[] labels, int dimension, double smoothing)
    {
        var positive = new double[dimension];
        var negative = new double[dimension];
        Array.Fill(positive, smoothing);
        Array.Fill(negative, smoothing);
        for (var r = 0; r < rows.Length; r++)
        {
            var counts = labels[r] ? positive : negative;
            foreach (var feature in rows[r].Indices) counts[feature]++;
        }
        // Summed in order by hand: Enumerable.Sum is free to vectorise, which would reorder the additions.
        double positiveTotal = 0, negativeTotal = 0;
        for (var i = 0; i < dimension; i++) (positiveTotal, negativeTotal) = (positiveTotal + positive[i], negativeTotal + negative[i]);
        return Enumerable.Range(0, dimension).Select(i => Math.Log(positive[i] / positiveTotal / (negative[i] / negativeTotal))).ToArray();
    }

    private static SparseVector[] Vectorize(SentimentFeaturizer featurizer, IReadOnlyList<LabelledSentence> sentences) =>
        sentences.Select(s => featurizer.Vectorize(s.Text)).ToArray();

    private static void RequireBothClasses(IReadOnlyList<LabelledSentence> sentences, string part)
    {
        if (!sentences.Any(s => s.IsPositive) || !sentences.Any(s => !s.IsPositive))
            throw new InvalidDataException($"Too few sentences to train: the {part} lacks positive or negative examples.");
    }

    private static double LogLoss(SentimentModel model, IReadOnlyList<LabelledSentence> sentences)
    {
        double total = 0;
        foreach (var sentence in sentences)
        {
            var score = model.Predict(sentence.Text).Score;
            total -= Math.Log(Math.Clamp(sentence.IsPositive ? score : 1 - score, 1e-15, 1));
        }
        return total / sentences.Count;
    }
}
