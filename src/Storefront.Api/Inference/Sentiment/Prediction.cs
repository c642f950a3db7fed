namespace Storefront.Api.Inference.Sentiment;

/// <summary>A sentiment verdict: <see cref="Label"/> is "positive" or "negative"; <see cref="Score"/> is P(positive) in 0..1.</summary>
public readonly record struct Prediction(string Label, double Score)
{
    public const string Positive = "positive";
    public const string Negative = "negative";

    public bool IsPositive => Label == Positive;

    /// <summary>Scores of 0.5 and above are positive.</summary>
    public static Prediction FromScore(double score) => new(score >= 0.5 ? Positive : Negative, score);
}
