using System.Diagnostics;
using Storefront.Api.Inference.Sentiment;

namespace Storefront.Train;

/// <summary>
/// What one prediction costs: CPU time of this process per text, on the calling thread's engine as a CPU-runner worker
/// scores (<see cref="SentimentModel.Predict"/>). Process CPU time (<see cref="Environment.CpuUsage"/>, microsecond
/// resolution where Process.TotalProcessorTime has the kernel's 10 ms ticks) rather than elapsed time, and the cheapest
/// of several rounds, so that other work on the machine barely moves the figure; the warm-up lets the runtime's tiered
/// JIT finish compiling the hot path first. Timing only: nothing here decides which model is chosen.
/// </summary>
public static class PredictionCost
{
    /// <summary>Review-length texts (~150 characters and more), as /predict gets, not the data set's short sentences.</summary>
    public const int MinTextLength = 140;

    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(0.5);
    private const int Rounds = 15;
    private const int PassesPerRound = 5;

    /// <summary>Microseconds of CPU per prediction over <paramref name="texts"/>: the cheapest round's mean.</summary>
    public static double Measure(SentimentModel model, IReadOnlyList<string> texts)
    {
        ArgumentOutOfRangeException.ThrowIfZero(texts.Count);
        var warming = Stopwatch.StartNew();
        while (warming.Elapsed < WarmUp) Score(model, texts);
        var best = double.MaxValue;
        for (var round = 0; round < Rounds; round++)
        {
            var before = Environment.CpuUsage.TotalTime;
            for (var pass = 0; pass < PassesPerRound; pass++) Score(model, texts);
            best = Math.Min(best, (Environment.CpuUsage.TotalTime - before).TotalMicroseconds / (PassesPerRound * texts.Count));
        }
        return best;
    }

    /// <summary>Consecutive <paramref name="sentences"/> joined by a space until each text is at least <see cref="MinTextLength"/> long.</summary>
    public static IReadOnlyList<string> ReviewLengthTexts(IEnumerable<string> sentences)
    {
        var texts = new List<string>();
        var current = "";
        foreach (var sentence in sentences)
        {
            current = current.Length == 0 ? sentence : current + " " + sentence;
            if (current.Length < MinTextLength) continue;
            texts.Add(current);
            current = "";
        }
        return texts;
    }

    private static void Score(SentimentModel model, IReadOnlyList<string> texts)
    {
        for (var i = 0; i < texts.Count; i++) model.Predict(texts[i]);
    }
}
