namespace Storefront.Api.Catalog;

/// <summary>Catalog settings (<c>Catalog__*</c>).</summary>
public sealed class CatalogOptions
{
    public const string Section = "Catalog";

    /// <summary>
    /// When true, PUT and DELETE /items/{id} without If-Match are refused with 428, for deployments whose clients
    /// must never overwrite a change they have not seen. Off by default: the original API's clients send no If-Match.
    /// </summary>
    public bool RequireIfMatch { get; set; }

    /// <summary>Longest a GET /items with ?q= may run in the database; then it is cancelled there and answered 504.</summary>
    [Range(100, 600_000)]
    public int SearchTimeoutMs { get; set; } = 5000;

    /// <summary>
    /// PostgreSQL: how many items a search reads in the page's sort order per item of the page before it turns to the
    /// trigram index (a term in fewer names than one in this many is found through the index).
    /// </summary>
    [Range(1, 100_000)]
    public int SearchWalkRows { get; set; } = 200;
}
