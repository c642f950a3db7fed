using Storefront.Api.Inference.Sentiment;

namespace Storefront.Train;

/// <summary>Confusion counts of a model on labelled sentences, "positive" being the class of interest.</summary>
public readonly record struct ClassificationMetrics(int TruePositives, int FalsePositives, int TrueNegatives, int FalseNegatives)
{
    public int Count => TruePositives + FalsePositives + TrueNegatives + FalseNegatives;

    public double Accuracy => Ratio(TruePositives + TrueNegatives, Count);

    public double Precision => Ratio(TruePositives, TruePositives + FalsePositives);

    public double Recall => Ratio(TruePositives, TruePositives + FalseNegatives);

    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);

    /// <summary>Scores every sentence with the model as it would answer a request (float weights and all).</summary>
    public static ClassificationMetrics Evaluate(SentimentModel model, IReadOnlyList<LabelledSentence> sentences)
    {
        int tp = 0, fp = 0, tn = 0, fn = 0;
        foreach (var sentence in sentences)
        {
            var predicted = model.Predict(sentence.Text).IsPositive;
            if (predicted) _ = sentence.IsPositive ? tp++ : fp++;
            else _ = sentence.IsPositive ? fn++ : tn++;
        }
        return new ClassificationMetrics(tp, fp, tn, fn);
    }

    public override string ToString() =>
        FormattableString.Invariant($"accuracy {Accuracy:P2}, precision {Precision:P2}, recall {Recall:P2}, F1 {F1:P2} (n = {Count})");

    private static double Ratio(int numerator, int denominator) => denominator == 0 ? 0 : (double)numerator / denominator;
}
