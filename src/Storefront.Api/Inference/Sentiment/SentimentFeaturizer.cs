using System.Buffers;

namespace Storefront.Api.Inference.Sentiment;

/// <summary>A sparse feature vector: ascending bucket indices and their values.</summary>
internal readonly record struct SparseVector(int[] Indices, double[] Values);

/// <summary>
/// Text to a hashed, L2-normalised sparse vector of word unigrams, word bigrams and character n-grams of
/// space-padded words. Immutable and thread-safe: the only per-call state is two buffers rented from the shared
/// array pool, so a prediction allocates nothing once the pool is warm.
/// </summary>
internal sealed class SentimentFeaturizer
{
    // FNV-1a, 32 bit, over the UTF-16LE bytes of each feature: fixed by its specification, unlike
    // string.GetHashCode, which is randomised per process and would scatter a saved model's weights.
    private const uint FnvOffsetBasis = 2166136261;
    private const uint FnvPrime = 16777619;

    // A leading tag keeps the feature kinds apart: the unigram "ok" and the character bigram "ok" are different.
    private const char UnigramTag = 'u', NegatedUnigramTag = 'v', BigramTag = 'b', CharGramTag = 'c';

    private readonly int _mask;

    public SentimentFeaturizer(FeaturizerSettings settings)
    {
        settings.Validate();
        Settings = settings;
        _mask = settings.Dimension - 1;
    }

    public FeaturizerSettings Settings { get; }

    /// <summary>w·x for the normalised vector x of <paramref name="text"/>; 0 when the text has no words.</summary>
    internal double Dot(ReadOnlySpan<char> text, ReadOnlySpan<float> weights)
    {
        if (weights.Length != Settings.Dimension) throw new ArgumentException("One weight per hash bucket is needed.", nameof(weights));
        var chars = ArrayPool<char>.Shared.Rent(text.Length);
        var buckets = ArrayPool<int>.Shared.Rent(MaxFeatures(text.Length));
        try
        {
            var count = CollectSorted(text, chars, buckets);
            double dot = 0, squares = 0;
            for (var i = 0; i < count;)
            {
                var run = RunLength(buckets, i, count);
                var value = Value(run);
                dot += weights[buckets[i]] * value;
                squares += value * value;
                i += run;
            }
            return squares == 0 ? 0 : dot / Math.Sqrt(squares);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(buckets);
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>The normalised vector itself, for training, where each sentence is featurized once and kept.</summary>
    internal SparseVector Vectorize(ReadOnlySpan<char> text)
    {
        var chars = new char[text.Length];
        var buckets = new int[MaxFeatures(text.Length)];
        var count = CollectSorted(text, chars, buckets);
        var indices = new List<int>();
        var values = new List<double>();
        double squares = 0;
        for (var i = 0; i < count;)
        {
            var run = RunLength(buckets, i, count);
            var value = Value(run);
            indices.Add(buckets[i]);
            values.Add(value);
            squares += value * value;
            i += run;
        }
        var norm = squares == 0 ? 1 : Math.Sqrt(squares);
        return new SparseVector([.. indices], values.Select(v => v / norm).ToArray());
    }

    private double Value(int count) => Settings.SublinearTf ? 1 + Math.Log(count) : 1;

    private static int RunLength(int[] sorted, int start, int count)
    {
        var end = start + 1;
        while (end < count && sorted[end] == sorted[start]) end++;
        return end - start;
    }

    /// <summary>
    /// An upper bound on the features of a text of this length: a word of L characters gives at most
    /// (L + 2) character n-grams per length plus a unigram and a bigram, and words are at least one separator apart.
    /// </summary>
    private int MaxFeatures(int textLength)
    {
        var lengths = Settings.MaxCharNgram == 0 ? 0 : Settings.MaxCharNgram - Settings.MinCharNgram + 1;
        var bound = (lengths * ((2L * textLength) + 1)) + textLength + 1;
        return bound <= Array.MaxLength ? (int)bound : throw new ArgumentOutOfRangeException(nameof(textLength), "The text is too long to featurize.");
    }

    /// <summary>Writes the bucket of every feature occurrence into <paramref name="buckets"/>, sorted; returns the count.</summary>
    private int CollectSorted(ReadOnlySpan<char> text, char[] chars, int[] buckets)
    {
        var lowered = chars.AsSpan(0, text.Length);
        for (var i = 0; i < text.Length; i++) lowered[i] = Normalise(text[i]);

        var count = 0;
        var negatedLeft = 0;
        ReadOnlySpan<char> previous = default;
        for (var i = 0; i < lowered.Length;)
        {
            if (!IsWordChar(lowered[i]))
            {
                // A clause ends the reach of a negation and the pairing of words into bigrams.
                if (IsClauseBreak(lowered[i]))
                {
                    negatedLeft = 0;
                    previous = default;
                }
                i++;
                continue;
            }
            var start = i;
            while (i < lowered.Length && IsWordChar(lowered[i])) i++;
            var word = lowered[start..i].Trim('\''); // quotes around a word are not part of it
            if (word.IsEmpty) continue;

            var negated = negatedLeft > 0;
            if (negated) negatedLeft--;
            buckets[count++] = Bucket(Hash(Seed(negated ? NegatedUnigramTag : UnigramTag), word));
            if (Settings.MaxWordNgram >= 2 && !previous.IsEmpty)
                buckets[count++] = Bucket(Hash(Step(Hash(Seed(BigramTag), previous), ' '), word));
            count = AddCharGrams(word, buckets, count);
            if (Settings.NegationScope > 0 && IsNegation(word)) negatedLeft = Settings.NegationScope;
            previous = word;
        }
        buckets.AsSpan(0, count).Sort();
        return count;
    }

    private int AddCharGrams(ReadOnlySpan<char> word, int[] buckets, int count)
    {
        if (Settings.MaxCharNgram == 0) return count;
        var padded = word.Length + 2; // " word "
        for (var start = 0; start < padded; start++)
        {
            var hash = Seed(CharGramTag);
            for (var length = 1; length <= Settings.MaxCharNgram && start + length <= padded; length++)
            {
                var at = start + length - 1;
                hash = Step(hash, at == 0 || at == padded - 1 ? ' ' : word[at - 1]);
                if (length >= Settings.MinCharNgram) buckets[count++] = Bucket(hash);
            }
        }
        return count;
    }

    private static char Normalise(char c)
    {
        var lower = char.ToLowerInvariant(c);
        // Typographic apostrophes and backticks are written where "'" is meant ("don’t").
        return lower is '\u2019' or '\u2018' or '`' or '\u00B4' ? '\'' : lower;
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '\'';

    private static bool IsClauseBreak(char c) => c is '.' or ',' or '!' or '?' or ';' or ':' or '(' or ')' or '"' or '\u2026';

    private static bool IsNegation(ReadOnlySpan<char> word) =>
        word.EndsWith("n't") || word is "not" or "no" or "never" or "nothing" or "none" or "nobody" or "nor" or "neither"
            or "cannot" or "dont" or "didnt" or "doesnt" or "isnt" or "wasnt" or "arent" or "werent" or "cant" or "couldnt"
            or "wouldnt" or "shouldnt" or "havent" or "hasnt" or "wont" or "aint";

    private static uint Seed(char tag) => Step(FnvOffsetBasis, tag);

    private static uint Hash(uint hash, ReadOnlySpan<char> chars)
    {
        foreach (var c in chars) hash = Step(hash, c);
        return hash;
    }

    private static uint Step(uint hash, char c)
    {
        hash = (hash ^ (byte)c) * FnvPrime;
        return (hash ^ (byte)(c >> 8)) * FnvPrime;
    }

    // XOR-folding the high bits in, as FNV's authors advise for power-of-two tables, so every bit of the hash counts.
    private int Bucket(uint hash) => (int)((hash >> Settings.HashBits) ^ hash) & _mask;
}
