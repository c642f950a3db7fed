using System.Collections.Concurrent;
using System.IO.Compression;
using Storefront.Api.Inference.Sentiment;
using Microsoft.ML;
using Storefront.Train;

namespace Storefront.Tests.Inference;

[ServerFree]
public sealed class SentimentModelTests(ITestOutputHelper testOutput)
{
    private static readonly Lazy<string> RepoRoot = new(FindRepoRoot);
    private static readonly Lazy<SentimentDataset> Data = new(() => SentimentDataset.Load(DataFolder));
    private static readonly Lazy<SentimentModel> Shipped = new(() => SentimentModel.Load(ShippedModelPath()));

    private static string DataFolder => Path.Combine(RepoRoot.Value, "datasets", "sentiment");

    private static IReadOnlyList<LabelledSentence> TestSentences => Data.Value.Split().Test;

    [Fact]
    public void Shipped_model_scores_at_least_86_percent_on_the_held_out_split()
    {
        // The bar the cheaper featurization had to keep (issue 37; docs/model.md has every model's accuracy).
        var correct = TestSentences.Count(s => Shipped.Value.Predict(s.Text).IsPositive == s.IsPositive);

        Assert.Equal(600, TestSentences.Count);
        Assert.True(correct >= 516, $"held-out accuracy {correct} / 600");
    }

    [Fact]
    public void Trainer_chooses_the_cheapest_featurization_within_the_tolerance_of_the_best_cross_validated_accuracy()
    {
        static ValidationResult Candidate(string name, int costRank, double crossValidated, double logLoss = 0.5) =>
            new(name, "trainer", Accuracy: 0.86, AreaUnderRocCurve: 0.93, LogLoss: logLoss, FeaturesPerText: 50,
                MicrosecondsPerPrediction: double.NaN, CrossValidatedAccuracy: crossValidated, CostRank: costRank);
        var best = Candidate("costly", costRank: 3, crossValidated: 0.84);
        var within = Candidate("cheaper", costRank: 1, crossValidated: 0.84 - SentimentTrainer.AccuracyTolerance + 0.001);
        var withinButCostlier = Candidate("middle", costRank: 2, crossValidated: 0.839);
        var beyond = Candidate("cheapest", costRank: 0, crossValidated: 0.84 - SentimentTrainer.AccuracyTolerance - 0.001);

        Assert.Same(within, SentimentTrainer.Choose([best, withinButCostlier, within, beyond]));
        Assert.Same(best, SentimentTrainer.Choose([best, beyond]));
        // The same featurization twice (two regularisations): the better cross-validated accuracy, then the lower log-loss.
        var sameRankBetter = Candidate("cheaper, other L2", costRank: 1, crossValidated: within.CrossValidatedAccuracy + 0.0005);
        Assert.Same(sameRankBetter, SentimentTrainer.Choose([best, within, sameRankBetter]));
        var sameAccuracyLowerLoss = within with { Trainer = "other", LogLoss = 0.4 };
        Assert.Same(sameAccuracyLowerLoss, SentimentTrainer.Choose([within, sameAccuracyLowerLoss, best]));
    }

    [Fact]
    public void Held_out_split_is_stratified_and_never_overlaps_the_training_part()
    {
        var split = Data.Value.Split();

        Assert.Equal(3000, split.Train.Count + split.Test.Count);
        Assert.All(split.Test.GroupBy(s => (s.Source, s.IsPositive)), group => Assert.Equal(100, group.Count()));
        Assert.Empty(split.Test.Intersect(split.Train, ReferenceEqualityComparer.Instance));
        Assert.Equal(split.Test, Data.Value.Split().Test); // the same sentences every time
    }

    [Theory]
    [InlineData("I love this phone, works great", Prediction.Positive)]
    [InlineData("Terrible, it broke after a day and support never answered", Prediction.Negative)]
    [InlineData("The food was delicious and the staff were friendly.", Prediction.Positive)]
    [InlineData("Worst movie I have ever seen, a complete waste of time.", Prediction.Negative)]
    public void Obvious_examples_get_the_obvious_label(string text, string label)
    {
        var prediction = Shipped.Value.Predict(text);

        Assert.Equal(label, prediction.Label);
        Assert.InRange(prediction.Score, 0, 1);
        Assert.Equal(prediction.Score >= 0.5, prediction.IsPositive);
    }

    [Fact]
    public void Same_text_gives_bit_identical_scores_on_every_call_and_on_a_fresh_load()
    {
        using var reloaded = SentimentModel.Load(ShippedModelPath());
        foreach (var sentence in TestSentences.Take(50))
        {
            var first = Bits(Shipped.Value.Predict(sentence.Text));
            for (var i = 0; i < 3; i++) Assert.Equal(first, Bits(Shipped.Value.Predict(sentence.Text)));
            Assert.Equal(first, Bits(reloaded.Predict(sentence.Text)));
        }
    }

    [Fact]
    public void Batch_prediction_equals_single_predictions()
    {
        var texts = TestSentences.Take(32).Select(s => s.Text).ToArray();
        var results = new Prediction[40]; // a pooled buffer may be longer than the batch

        Shipped.Value.PredictBatch(texts, results);

        for (var i = 0; i < texts.Length; i++) Assert.Equal(Bits(Shipped.Value.Predict(texts[i])), Bits(results[i]));
        Assert.All(results[texts.Length..], r => Assert.Equal(default, r));
        Assert.Throws<ArgumentException>(() => Shipped.Value.PredictBatch(texts, new Prediction[31]));
    }

    [Fact]
    public void Concurrent_predictions_use_one_engine_per_thread_and_agree_with_sequential_ones()
    {
        // A model of its own: the engine count then says exactly which threads scored with it.
        using var model = SentimentModel.Load(ShippedModelPath());
        var texts = TestSentences.Select(s => s.Text).ToArray();
        var expected = texts.Select(t => Bits(model.Predict(t))).ToArray();
        const int threadCount = 8;
        using var start = new Barrier(threadCount);
        var failures = new ConcurrentQueue<string>();

        var threads = Enumerable.Range(0, threadCount).Select(t => new Thread(() =>
        {
            start.SignalAndWait(); // all at once, so the threads really overlap
            try
            {
                for (var round = 0; round < 2; round++)
                {
                    for (var k = 0; k < texts.Length; k++)
                    {
                        var i = (k + (t * 75)) % texts.Length; // each thread starts elsewhere in the list
                        if (Bits(model.Predict(texts[i])) != expected[i]) failures.Enqueue($"thread {t}: {texts[i]}");
                    }
                }
            }
            catch (Exception ex)
            {
                failures.Enqueue($"thread {t}: {ex}");
            }
        })).ToArray();
        foreach (var thread in threads) thread.Start();
        foreach (var thread in threads) thread.Join();

        Assert.Empty(failures);
        // The loading thread (its readiness check, then the expected scores) and each of the eight: never one per call.
        Assert.Equal(threadCount + 1, model.Engines);
    }

    [Fact]
    public async Task Retraining_from_the_data_reproduces_the_shipped_model()
    {
        var modelFile = Path.Combine(Path.GetTempPath(), $"sentiment-{Guid.NewGuid():N}.zip");
        using var output = new StringWriter();
        try
        {
            var exitCode = await TrainCommand.RunAsync(["--data", DataFolder, "--out", modelFile], output);

            Assert.True(exitCode == 0, output.ToString());
            Assert.Equal(InstructionSets.Current, (await File.ReadAllTextAsync(InstructionSets.RecordPath(modelFile))).TrimEnd());
            using var retrained = SentimentModel.Load(modelFile);
            // Any CPU: the same labels, the same held-out accuracy, scores equal within rounding.
            Assert.Empty(ModelAgreement.Differences(Shipped.Value, retrained, TestSentences));

            // Bit for bit as well, but only where that can hold: on the instruction sets the shipped model was trained with.
            var trainedOn = (await File.ReadAllTextAsync(InstructionSets.RecordPath(ShippedModelSourcePath))).TrimEnd();
            if (trainedOn == InstructionSets.Current)
                Assert.All(TestSentences, s => Assert.Equal(Bits(Shipped.Value.Predict(s.Text)), Bits(retrained.Predict(s.Text))));
            else
                testOutput.WriteLine($"Bit-for-bit check left out: the shipped model was trained with {trainedOn}, this machine has {InstructionSets.Current}.");
        }
        finally
        {
            File.Delete(modelFile);
            File.Delete(InstructionSets.RecordPath(modelFile));
        }
    }

    [Fact]
    public void Retraining_with_another_regularisation_is_not_taken_for_a_reproduction()
    {
        // The reproduction check must be able to fail: the shipped featurization and trainer with L2 = 0.02 instead of 0.01.
        ModelCandidate changed = new(SentimentPipeline.Featurizers.Single(f => f.Name == SentimentPipeline.WordsAndHashedCharacters), SentimentPipeline.Lbfgs(0.02f));
        var result = SentimentTrainer.Train(Data.Value, new SentimentTrainerOptions { Candidates = [changed], MeasureCost = false });
        using var buffer = new MemoryStream();
        result.Context.Model.Save(result.Model, result.InputSchema, buffer);
        buffer.Position = 0;
        using var retrained = SentimentModel.Load(buffer);

        var differences = ModelAgreement.Differences(Shipped.Value, retrained, TestSentences);

        // Not a few borderline sentences: most scores move by far more than rounding.
        Assert.True(differences.Count > TestSentences.Count / 2, $"{differences.Count} differences: {string.Join("; ", differences.Take(5))}");
    }

    [Theory]
    [InlineData(1, "--data", "/no/such/folder", "--out", "/tmp/never-written.zip")]
    [InlineData(2, "--data")]
    [InlineData(2, "--epochs", "3")]
    public async Task Train_command_refuses_bad_input_with_a_message_and_a_non_zero_exit(int expectedExitCode, params string[] options)
    {
        using var output = new StringWriter();

        var exitCode = await TrainCommand.RunAsync(options, output);

        Assert.Equal(expectedExitCode, exitCode);
        Assert.StartsWith("train: ", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Service_binary_carries_no_trainer_code()
    {
        var serviceTypes = typeof(SentimentModel).Assembly.GetTypes();

        Assert.DoesNotContain(serviceTypes, t =>
            t.Name.Contains("Trainer", StringComparison.Ordinal)
            || t.Name is nameof(TrainCommand) or nameof(SentimentDataset) or nameof(SentimentPipeline));
    }

    [Theory]
    [InlineData("empty")]
    [InlineData("not a model")]
    [InlineData("truncated")]
    public void Corrupt_or_truncated_model_file_is_refused_with_a_clear_exception(string damage)
    {
        var bytes = File.ReadAllBytes(ShippedModelPath());
        var damaged = damage switch
        {
            "empty" => [],
            "not a model" => "sentence\tscore\n"u8.ToArray(),
            "truncated" => bytes[..(bytes.Length / 2)],
            _ => throw new ArgumentOutOfRangeException(nameof(damage)),
        };

        var error = Assert.Throws<InvalidDataException>(() => SentimentModel.Load(new MemoryStream(damaged)));
        var checkError = Assert.Throws<InvalidDataException>(() => SentimentModel.Check(new MemoryStream(damaged)));

        Assert.StartsWith("Not a usable sentiment model", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("Not a usable sentiment model", checkError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_startup_check_passes_the_shipped_model()
    {
        SentimentModel.CheckFile(ShippedModelPath());
    }

    [Fact]
    public void The_startup_check_refuses_a_zip_without_a_model()
    {
        var error = Assert.Throws<InvalidDataException>(() => SentimentModel.Check(new MemoryStream(Zip(("notes.txt", "not a model"u8.ToArray())))));
        Assert.Contains("TransformerChain/Model.key", error.Message, StringComparison.Ordinal);
    }

    private static byte[] Zip(params (string Name, byte[] Content)[] entries)
    {
        var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                using var entry = archive.CreateEntry(name).Open();
                entry.Write(content);
            }
        }
        return buffer.ToArray();
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\r\n\t")]
    [InlineData("?!... --")]
    public void Text_without_words_gets_a_score_near_the_prior(string text)
    {
        var prediction = Shipped.Value.Predict(text);

        // No word features, at most the character n-grams of blanks: close to the bias alone, about 0.5 on balanced data.
        Assert.InRange(prediction.Score, 0.3, 0.7);
    }

    [Fact]
    public void Null_text_is_an_argument_error()
    {
        Assert.Throws<ArgumentNullException>(() => Shipped.Value.Predict(null!));
    }

    [Fact]
    public void Loader_skips_malformed_lines_and_tolerates_crlf_and_trailing_whitespace()
    {
        var folder = Directory.CreateTempSubdirectory("sentiment-data-");
        try
        {
            File.WriteAllText(
                Path.Combine(folder.FullName, "shop_labelled.txt"),
                "sentence\tscore\r\nGreat value.  \t1  \r\nno label here\r\n\t1\r\nAwful, caf\u00e9 was cold.\t0\r\nMaybe.\t2\r\n\r\nLast line\t1");

            var dataset = SentimentDataset.Load(folder.FullName);

            LabelledSentence[] expected =
                [new("Great value.", true, "shop"), new("Awful, caf\u00e9 was cold.", false, "shop"), new("Last line", true, "shop")];
            Assert.Equal(expected, dataset.Sentences);
            Assert.Equal(5, dataset.SkippedLines);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static long Bits(Prediction prediction) => BitConverter.DoubleToInt64Bits(prediction.Score);

    /// <summary>The repository's model file, beside which the trainer recorded the instruction sets it ran with.</summary>
    private static string ShippedModelSourcePath => Path.Combine(RepoRoot.Value, "src", "Storefront.Api", "Inference", "sentiment.zip");

    /// <summary>The test binaries carry a copy of the model; a bare build falls back to the repository's file.</summary>
    private static string ShippedModelPath()
    {
        var besideTests = Path.Combine(AppContext.BaseDirectory, "Inference", "sentiment.zip");
        return File.Exists(besideTests) ? besideTests : ShippedModelSourcePath;
    }

    private static string FindRepoRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Storefront.slnx"))) return folder.FullName;
        }
        throw new InvalidOperationException($"No Storefront.slnx above {AppContext.BaseDirectory}.");
    }
}
