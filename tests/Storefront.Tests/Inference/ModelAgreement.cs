using System.Globalization;
using Storefront.Api.Inference.Sentiment;
using Storefront.Train;

namespace Storefront.Tests.Inference;

/// <summary>
/// What "the same model" means across machines: ML.NET's vector code rounds differently in the last bits on CPUs with
/// other instruction sets (see <see cref="InstructionSets"/>), so two trainings agree when every sentence gets the same
/// label, every score is equal within what rounding explains, and the held-out accuracy is the same.
/// </summary>
internal static class ModelAgreement
{
    /// <summary>
    /// Not 1e-6: L-BFGS optimises in single precision and stops where its steps stall, so last-bit rounding differences
    /// between instruction sets end in weights that differ in the fourth decimal of a score. docs/model.md has the
    /// measured spread across instruction sets and what a changed setting does (ten times more, on almost every sentence).
    /// </summary>
    public const double ScoreTolerance = 5e-4;

    /// <summary>Each way <paramref name="actual"/> disagrees with <paramref name="expected"/> on the sentences; empty when they agree.</summary>
    public static IReadOnlyList<string> Differences(SentimentModel expected, SentimentModel actual, IReadOnlyList<LabelledSentence> sentences)
    {
        var differences = new List<string>();
        int expectedCorrect = 0, actualCorrect = 0;
        foreach (var sentence in sentences)
        {
            var e = expected.Predict(sentence.Text);
            var a = actual.Predict(sentence.Text);
            if (e.IsPositive == sentence.IsPositive) expectedCorrect++;
            if (a.IsPositive == sentence.IsPositive) actualCorrect++;
            if (e.Label != a.Label || Math.Abs(e.Score - a.Score) > ScoreTolerance)
                differences.Add(Invariant($"{a.Label} {a.Score:R} where {e.Label} {e.Score:R} was expected: {sentence.Text}"));
        }
        if (expectedCorrect != actualCorrect)
            differences.Add(Invariant($"held-out accuracy {actualCorrect} / {sentences.Count} where {expectedCorrect} was expected"));
        return differences;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
