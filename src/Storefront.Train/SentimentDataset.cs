using System.Text;

namespace Storefront.Train;

/// <summary>One labelled sentence. <see cref="Source"/> is the file it came from (<c>amazon_cells</c>, <c>imdb</c>, <c>yelp</c>).</summary>
public sealed record LabelledSentence(string Text, bool IsPositive, string Source);

/// <summary>A train/test (or train/validation) partition; both keep the order the sentences were loaded in.</summary>
public sealed record DatasetSplit(IReadOnlyList<LabelledSentence> Train, IReadOnlyList<LabelledSentence> Test);

/// <summary>
/// The <c>*_labelled.txt</c> files of <c>datasets/sentiment</c> (<c>sentence&lt;TAB&gt;0|1</c> per line) and the
/// project's fixed train/test split of them.
/// </summary>
public sealed class SentimentDataset
{
    public const string FilePattern = "*_labelled.txt";
    public const double DefaultTestFraction = 0.2;

    /// <summary>The seed of the shipped model's train/test split; changing it changes the held-out sentences.</summary>
    public const ulong DefaultSplitSeed = 20150810;

    private SentimentDataset(IReadOnlyList<LabelledSentence> sentences, int skippedLines)
    {
        Sentences = sentences;
        SkippedLines = skippedLines;
    }

    /// <summary>Every usable sentence, files in ordinal name order, lines in file order.</summary>
    public IReadOnlyList<LabelledSentence> Sentences { get; }

    /// <summary>Lines that were not <c>text&lt;TAB&gt;0|1</c> (the header lines, blank or malformed lines).</summary>
    public int SkippedLines { get; }

    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">No data files, or no sentences of one of the two classes.</exception>
    public static SentimentDataset Load(string folder)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"Sentiment data folder not found: {folder}");
        // Ordinal order so that every machine (and file system) reads the sentences in the same sequence.
        var files = Directory.GetFiles(folder, FilePattern).OrderBy(Path.GetFileName, StringComparer.Ordinal).ToArray();
        if (files.Length == 0) throw new InvalidDataException($"No {FilePattern} files in {folder}.");

        var sentences = new List<LabelledSentence>();
        var skipped = 0;
        foreach (var file in files)
        {
            var source = Path.GetFileName(file)[..^"_labelled.txt".Length];
            // ReadLine splits on CR, LF and CRLF only: the U+0085 (NEL) characters inside some imdb lines stay text.
            using var reader = new StreamReader(file, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            while (reader.ReadLine() is { } line)
            {
                if (TryParse(line, source, out var sentence)) sentences.Add(sentence);
                else skipped++;
            }
        }
        if (!sentences.Any(s => s.IsPositive) || !sentences.Any(s => !s.IsPositive))
            throw new InvalidDataException($"The files in {folder} need both positive (1) and negative (0) sentences.");
        return new SentimentDataset(sentences, skipped);
    }

    /// <summary>The project's held-out split: 20% of each (source, label) group, always the same sentences.</summary>
    public DatasetSplit Split(double testFraction = DefaultTestFraction, ulong seed = DefaultSplitSeed) =>
        StratifiedSplit(Sentences, testFraction, seed);

    /// <summary>
    /// Puts round(fraction × n) sentences of every (source, label) group into Test, chosen by a seeded shuffle, so
    /// each part has the same mix of sites and classes as the whole.
    /// </summary>
    public static DatasetSplit StratifiedSplit(IReadOnlyList<LabelledSentence> sentences, double testFraction, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(testFraction);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(testFraction, 1.0);
        var random = new SplitMix64(seed);
        var inTest = new bool[sentences.Count];
        var groups = Enumerable.Range(0, sentences.Count)
            .GroupBy(i => (sentences[i].Source, sentences[i].IsPositive))
            .OrderBy(g => g.Key.Source, StringComparer.Ordinal)
            .ThenBy(g => g.Key.IsPositive);
        foreach (var group in groups)
        {
            var members = group.ToArray();
            random.Shuffle(members);
            var testCount = (int)Math.Round(members.Length * testFraction, MidpointRounding.AwayFromZero);
            for (var i = 0; i < testCount; i++) inTest[members[i]] = true;
        }
        var train = new List<LabelledSentence>();
        var test = new List<LabelledSentence>();
        for (var i = 0; i < sentences.Count; i++) (inTest[i] ? test : train).Add(sentences[i]);
        return new DatasetSplit(train, test);
    }

    private static bool TryParse(string line, string source, out LabelledSentence sentence)
    {
        sentence = null!;
        var trimmed = line.AsSpan().TrimEnd();
        var tab = trimmed.LastIndexOf('\t');
        if (tab < 0) return false;
        var label = trimmed[(tab + 1)..].Trim();
        var text = trimmed[..tab].Trim();
        if (text.IsEmpty || label is not ("0" or "1")) return false;
        sentence = new LabelledSentence(text.ToString(), label is "1", source);
        return true;
    }

    /// <summary>
    /// SplitMix64 (Steele, Lea, Flood 2014): a fixed, fully specified generator, so the split is the same on every
    /// machine and runtime. <c>new Random(seed)</c> is deterministic today too, but its algorithm is an
    /// implementation detail of .NET that is documented as subject to change.
    /// </summary>
    private struct SplitMix64(ulong seed)
    {
        private ulong _state = seed;

        public ulong Next()
        {
            var z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        /// <summary>Fisher–Yates; the modulo bias of a 64-bit draw over a few hundred items is negligible.</summary>
        public void Shuffle(int[] items)
        {
            for (var i = items.Length - 1; i > 0; i--)
            {
                var j = (int)(Next() % (ulong)(i + 1));
                (items[i], items[j]) = (items[j], items[i]);
            }
        }
    }
}
