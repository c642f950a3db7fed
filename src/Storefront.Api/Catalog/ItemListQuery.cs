using System.ComponentModel;
using Microsoft.AspNetCore.Mvc;
using Storefront.Api.Http;

namespace Storefront.Api.Catalog;

/// <summary>How GET /items orders its items; every order ends with the id, so a page boundary is one exact key.</summary>
public enum ItemSort : byte
{
    Id = 1,
    Price = 2,
    PriceDescending = 3,
    Name = 4,
}

/// <summary>The query of GET /items: skip/limit, keyset cursors, search, sort, price range and totals.</summary>
public sealed record ItemListQuery(
    [property: Description("Items to skip (the original paging, kept for its clients; slower the deeper it goes). At most 10000: beyond, follow `next`.")]
    int Skip = 0,
    [property: Description("Items per page, 1 to 100.")]
    int Limit = 10,
    [property: Description("The `next` cursor of the previous page, with the same q, sort and price range.")]
    string? After = null,
    [property: Description("Case-insensitive substring of the name, 3 to 200 characters (shorter text cannot use the search index).")]
    string? Q = null,
    [property: Description("id (default), price, -price or name (code-point order); ties are broken by id.")]
    string? Sort = null,
    [FromQuery(Name = "min_price")]
    [property: Description("Lowest price included.")]
    decimal? MinPrice = null,
    [FromQuery(Name = "max_price")]
    [property: Description("Highest price included.")]
    decimal? MaxPrice = null,
    [FromQuery(Name = "include_total")]
    [property: Description("Add `total` (exact, or PostgreSQL's estimate with `total_is_estimate: true` on large results). Default: true for the skip/limit form (no after, q, sort or price range), false otherwise.")]
    bool? IncludeTotal = null) : IValidatable
{
    /// <summary>Deeper than this, offset paging reads and discards too many rows: the cursor costs the same at any depth.</summary>
    public const int MaxSkip = 10_000;

    public const int MaxSearchLength = 200;

    /// <summary>
    /// The shortest search the trigram index serves: PostgreSQL's pg_trgm extracts no trigram from one or two
    /// characters, so such a search would read every name in the catalog.
    /// </summary>
    public const int MinSearchLength = 3;

    public ItemSort SortOrder => ParseSort(Sort) ?? ItemSort.Id;

    /// <summary>The search text; an empty <c>?q=</c> searches nothing.</summary>
    public string? Search => string.IsNullOrEmpty(Q) ? null : Q;

    public bool HasFilter => Search is not null || MinPrice is not null || MaxPrice is not null;

    /// <summary>The skip/limit form keeps its total (docs/seeds.md); cursors, search, sort and filters count only when asked.</summary>
    public bool WantsTotal => IncludeTotal ?? (After is null && Sort is null && !HasFilter);

    public Dictionary<string, string[]>? Validate()
    {
        var errors = new ValidationErrors()
            .Check(Skip >= 0, "skip", "Must be 0 or more.")
            .Check(Skip <= MaxSkip, "skip", $"At most {MaxSkip}: for deeper pages follow the `next` cursor (?after=).")
            .Check(Limit is >= 1 and <= PageQuery.MaxLimit, "limit", $"Must be between 1 and {PageQuery.MaxLimit}.")
            .Check(Sort is null || ParseSort(Sort) is not null, "sort", "One of: id, price, -price, name.")
            .Check(Q is null || Q.Length <= MaxSearchLength, "q", $"At most {MaxSearchLength} characters.")
            .Check(string.IsNullOrEmpty(Q) || Q.Length >= MinSearchLength, "q",
                $"At least {MinSearchLength} characters: shorter text cannot use the search index.")
            .CheckText(Q, "q")
            .Check(MinPrice is null or >= 0, "min_price", "Must be 0 or more.")
            .Check(MaxPrice is null or >= 0, "max_price", "Must be 0 or more.")
            .Check(MinPrice is null || MaxPrice is null || MinPrice <= MaxPrice, "max_price", "Must not be less than min_price.");
        if (After is not null)
        {
            if (Skip > 0) errors.Add("after", "Use either after or skip, not both.");
            else if (!ItemCursor.TryRead(After, this, out _, out var problem)) errors.Add("after", problem);
        }
        return errors.ToDictionary();
    }

    private static ItemSort? ParseSort(string? sort) => sort switch
    {
        null or "id" => ItemSort.Id,
        "price" => ItemSort.Price,
        "-price" => ItemSort.PriceDescending,
        "name" => ItemSort.Name,
        _ => null,
    };
}
