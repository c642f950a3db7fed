using BenchmarkDotNet.Attributes;
using Storefront.Api.Inference.Sentiment;

namespace Storefront.Micro;

/// <summary>
/// One /predict prediction on the shipped model, on the calling thread's engine as a CPU-runner worker scores it:
/// the benchmark's fixed review (bench/wrk/predict.json) and review-length texts made of the held-out sentences
/// (consecutive ones joined until at least 140 characters), cycled so each call sees another text.
/// <c>SENTIMENT_MODEL=path.zip</c> scores another model file.
/// </summary>
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet disposes through [GlobalCleanup].")]
public class SentimentPredictionBenchmarks
{
    private const string BenchReview = "I bought this coffee grinder for my kitchen and it works great: the burrs are sharp, the grind is even and fast, " +
        "though a bit loud. Easy to clean, nice design, and I would recommend it to a friend.";

    private SentimentModel _model = null!;
    private string[] _reviews = [];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var root = RepoRoot();
        _model = SentimentModel.Load(Environment.GetEnvironmentVariable("SENTIMENT_MODEL") is { Length: > 0 } path
            ? path
            : Path.Combine(root, "src", "Storefront.Api", "Inference", "sentiment.zip"));
        _reviews = ReviewLengthTexts(Path.Combine(root, "datasets", "sentiment"));
    }

    [GlobalCleanup]
    public void Cleanup() => _model.Dispose();

    [Benchmark(Baseline = true)]
    public Prediction FixedReview() => _model.Predict(BenchReview);

    [Benchmark]
    public Prediction DatasetReview()
    {
        var text = _reviews[_next];
        _next = (_next + 1) % _reviews.Length;
        return _model.Predict(text);
    }

    /// <summary>The dataset's sentences (tab, label), joined in file order into texts of 140 characters or more.</summary>
    private static string[] ReviewLengthTexts(string folder)
    {
        var texts = new List<string>();
        var current = "";
        foreach (var file in Directory.GetFiles(folder, "*_labelled.txt").Order(StringComparer.Ordinal))
        {
            foreach (var line in File.ReadLines(file))
            {
                var tab = line.LastIndexOf('\t');
                if (tab <= 0) continue;
                current = current.Length == 0 ? line[..tab].Trim() : current + " " + line[..tab].Trim();
                if (current.Length < 140) continue;
                texts.Add(current);
                current = "";
            }
        }
        return [.. texts];
    }

    private static string RepoRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Storefront.slnx"))) return folder.FullName;
        }
        throw new InvalidOperationException($"No Storefront.slnx above {AppContext.BaseDirectory}.");
    }
}
