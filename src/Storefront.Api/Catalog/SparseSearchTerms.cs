using System.Collections.Concurrent;

namespace Storefront.Api.Catalog;

/// <summary>
/// Search terms whose walk of the sort order ran out of its budget lately (PostgreSQL): few names contain them, so
/// their next pages go to the trigram index at once instead of walking the same rows in vain first. Per instance and
/// only a hint: a term wrongly held sparse still gets the right rows from the index, and entries expire so a term
/// that has become common is walked again. Bounded: when full it starts over, which costs walks, not memory.
/// </summary>
internal sealed class SparseSearchTerms(TimeProvider time)
{
    public const int Capacity = 10_000;
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<(string Term, ItemSort Sort), long> _until = new();

    public bool Contains(string term, ItemSort sort) =>
        _until.TryGetValue((Key(term), sort), out var until) && time.GetTimestamp() < until;

    public void Add(string term, ItemSort sort)
    {
        if (_until.Count >= Capacity) _until.Clear();
        _until[(Key(term), sort)] = time.GetTimestamp() + (long)(Lifetime.TotalSeconds * time.TimestampFrequency);
    }

    // The search ignores case, and so does how common a term is.
    private static string Key(string term) => term.ToLowerInvariant();
}
