using Microsoft.ML.Data;

namespace Storefront.Api.Inference.Sentiment;

/// <summary>What the model reads: one text. The training rows add the label (src/Storefront.Train).</summary>
public sealed class SentimentInput
{
    public string Text { get; set; } = "";
}

/// <summary>What the model writes: P(positive), from the pipeline's calibrator.</summary>
public sealed class SentimentOutput
{
    [ColumnName("Probability")]
    public float Probability { get; set; }
}
