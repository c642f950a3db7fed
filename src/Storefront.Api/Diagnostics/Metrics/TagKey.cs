namespace Storefront.Api.Diagnostics.Metrics;

/// <summary>A measurement's tags exactly as given (order included): the key a series is cached under.</summary>
internal sealed class TagKey(KeyValuePair<string, object?>[] tags, int hash)
{
    public KeyValuePair<string, object?>[] Tags { get; } = tags;
    public int Hash { get; } = hash;
}

/// <summary>
/// Lets the series dictionary be searched with the listener's <c>ReadOnlySpan</c> of tags directly, so a
/// measurement whose tag combination was seen before allocates nothing: hash the names and values, compare them
/// (reference-equal strings compare in one step). Only a new combination copies the span into a <see cref="TagKey"/>.
/// </summary>
internal sealed class TagKeyComparer : IEqualityComparer<TagKey>, IAlternateEqualityComparer<ReadOnlySpan<KeyValuePair<string, object?>>, TagKey>
{
    public static readonly TagKeyComparer Instance = new();

    public bool Equals(TagKey? x, TagKey? y) =>
        ReferenceEquals(x, y) || (x is not null && y is not null && x.Hash == y.Hash && SameTags(x.Tags, y.Tags));

    public int GetHashCode(TagKey obj) => obj.Hash;

    public bool Equals(ReadOnlySpan<KeyValuePair<string, object?>> alternate, TagKey other) => SameTags(alternate, other.Tags);

    public int GetHashCode(ReadOnlySpan<KeyValuePair<string, object?>> alternate) => Hash(alternate);

    public TagKey Create(ReadOnlySpan<KeyValuePair<string, object?>> alternate) => new(alternate.ToArray(), Hash(alternate));

    private static int Hash(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var hash = new HashCode();
        foreach (ref readonly var tag in tags)
        {
            hash.Add(tag.Key);
            hash.Add(tag.Value);
        }
        return hash.ToHashCode();
    }

    private static bool SameTags(ReadOnlySpan<KeyValuePair<string, object?>> a, ReadOnlySpan<KeyValuePair<string, object?>> b)
    {
        if (a.Length != b.Length) return false;
        for (var i = 0; i < a.Length; i++)
            if (!string.Equals(a[i].Key, b[i].Key, StringComparison.Ordinal) || !Equals(a[i].Value, b[i].Value)) return false;
        return true;
    }
}
