using System.Diagnostics;
using System.Globalization;
using Storefront.Api.Inference.Sentiment;

namespace Storefront.Train;

/// <summary>
/// <c>[--data &lt;folder&gt;] [--out &lt;file&gt;]</c>: trains the sentiment model on datasets/sentiment, prints the
/// held-out metrics and writes the model file the service loads, with a note beside it of the instruction sets it was
/// trained with. Plain code, no web host: it only reads the data and writes those two files. Exit codes: 0 done, 1 the
/// data or the output could not be used, 2 bad arguments.
/// </summary>
public static class TrainCommand
{
    private const string DataFolder = "datasets/sentiment";
    private const string ProjectFolder = "src/Storefront.Api";
    private const string ModelPath = "src/Storefront.Api/Inference/sentiment.zip";
    private const string Usage = "usage: dotnet run --project src/Storefront.Train -- [--data <folder with *_labelled.txt>] [--out <model .zip>]";

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        string? data = null, modelFile = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--data" when i + 1 < args.Length:
                    data = Path.GetFullPath(args[++i]);
                    break;
                case "--out" when i + 1 < args.Length:
                    modelFile = Path.GetFullPath(args[++i]);
                    break;
                case "-h" or "--help":
                    await output.WriteLineAsync(Usage);
                    return 0;
                default:
                    await output.WriteLineAsync($"train: unknown option or missing value: {args[i]}\n{Usage}");
                    return 2;
            }
        }
        data ??= FindUp(DataFolder, DataFolder);
        modelFile ??= FindUp(ProjectFolder, ModelPath);
        if (data is null || modelFile is null)
        {
            await output.WriteLineAsync($"train: could not find {(data is null ? DataFolder : ProjectFolder)} above {Environment.CurrentDirectory} or {AppContext.BaseDirectory}; pass {(data is null ? "--data" : "--out")}.");
            return 2;
        }

        try
        {
            return await TrainAsync(data, modelFile, output);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            await output.WriteLineAsync($"train: {ex.Message}");
            return 1;
        }
    }

    private static async Task<int> TrainAsync(string data, string modelFile, TextWriter output)
    {
        var started = Stopwatch.GetTimestamp();
        var dataset = SentimentDataset.Load(data);
        await output.WriteLineAsync(Invariant($"data: {dataset.Sentences.Count} sentences from {data} ({dataset.SkippedLines} header or malformed lines skipped)"));

        var result = SentimentTrainer.Train(dataset);
        var elapsed = Stopwatch.GetElapsedTime(started);
        // A Markdown table, as docs/model.md shows it.
        await output.WriteLineAsync(
            $"| featurization | trainer | {SentimentTrainer.Folds}-fold CV accuracy | validation accuracy | AUC | log-loss (bits) | features per sentence | µs CPU per prediction |");
        await output.WriteLineAsync("|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (var candidate in result.Validation)
        {
            var mark = candidate == result.Chosen ? "**" : "";
            await output.WriteLineAsync(Invariant(
                $"| {mark}{candidate.Featurizer}{mark} | {mark}{candidate.Trainer}{mark} | {candidate.CrossValidatedAccuracy:P2} | {candidate.Accuracy:P2} | {candidate.AreaUnderRocCurve:F4} | {candidate.LogLoss:F4} | {candidate.FeaturesPerText:F0} | {candidate.MicrosecondsPerPrediction:F1} |"));
        }
        await output.WriteLineAsync(Invariant($"chosen {result.Chosen.Name}; trained on {result.TrainCount}, tested on {result.TestCount} held-out sentences"));
        await output.WriteLineAsync(Invariant($"train accuracy: {result.TrainAccuracy:P2}"));
        var test = result.Test;
        await output.WriteLineAsync(Invariant(
            $"test: accuracy {test.Accuracy:P2}, AUC {test.AreaUnderRocCurve:F4}, F1 {test.F1Score:P2}, precision {test.PositivePrecision:P2}, recall {test.PositiveRecall:P2}, log-loss {test.LogLoss:F4}"));

        using var buffer = new MemoryStream();
        result.Context.Model.Save(result.Model, result.InputSchema, buffer);
        Directory.CreateDirectory(Path.GetDirectoryName(modelFile)!);
        // Write beside the target, then rename: a service starting meanwhile sees the old file or the new, never half.
        var temporary = modelFile + ".tmp";
        await File.WriteAllBytesAsync(temporary, buffer.ToArray());
        File.Move(temporary, modelFile, overwrite: true);
        // Scores are reproducible to the bit only with the same vector instruction sets (InstructionSets says why).
        await File.WriteAllTextAsync(InstructionSets.RecordPath(modelFile), InstructionSets.Current + "\n");

        // Read back what was written and score the test split as the service does: it must agree with ML.NET's metrics.
        using var reloaded = SentimentModel.Load(modelFile);
        var split = dataset.Split();
        var correct = split.Test.Count(s => reloaded.Predict(s.Text).IsPositive == s.IsPositive);
        if (correct != (int)Math.Round(test.Accuracy * split.Test.Count))
            throw new InvalidDataException($"{modelFile} does not score like the model that was trained ({correct} of {split.Test.Count} right).");
        await output.WriteLineAsync(Invariant($"trained in {elapsed.TotalSeconds:F1} s with {InstructionSets.Current}; wrote {modelFile} ({buffer.Length / 1024.0:F0} KiB)"));
        return 0;
    }

    /// <summary>The first <paramref name="marker"/> folder above the working directory or the binaries, joined with <paramref name="target"/>.</summary>
    private static string? FindUp(string marker, string target)
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                if (Directory.Exists(Path.Combine(folder.FullName, marker))) return Path.GetFullPath(Path.Combine(folder.FullName, target));
            }
        }
        return null;
    }

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);
}
