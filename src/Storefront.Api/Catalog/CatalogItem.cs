namespace Storefront.Api.Catalog;

/// <summary>The stored item. Stays in the data layer: endpoints speak <see cref="ItemResponse"/>.</summary>
public sealed class CatalogItem
{
    public const int NameMaxLength = 200;
    public const int DescriptionMaxLength = 2000;

    public int Id { get; set; }
    public required string Name { get; set; }
    public decimal Price { get; set; }
    public string? Description { get; set; }

    /// <summary>Raised by every write; the item's ETag (If-Match on PUT and DELETE).</summary>
    public int Version { get; set; } = 1;
}
