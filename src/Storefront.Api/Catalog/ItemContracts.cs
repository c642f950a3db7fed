using Storefront.Api.Http;

namespace Storefront.Api.Catalog;

/// <summary>Body of POST and PUT /items. Nullable so a missing field is reported by name, not as a parse error.</summary>
public sealed record ItemRequest(string? Name, decimal? Price, string? Description) : IValidatable
{
    public const decimal MaxPrice = 9_999_999_999.99m;

    public Dictionary<string, string[]>? Validate()
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(Name))
            errors.Add("name", "Required: 1 to 200 characters, not only spaces.");
        else if (Name.Length > CatalogItem.NameMaxLength)
            errors.Add("name", $"At most {CatalogItem.NameMaxLength} characters (got {Name.Length}).");

        if (Price is not { } price)
            errors.Add("price", "Required: a number greater than 0.");
        else
            errors.Check(price > 0, "price", "Must be greater than 0.")
                .Check(price <= MaxPrice, "price", $"Must be at most {MaxPrice}.")
                .Check(decimal.Round(price, 2) == price, "price", "At most two decimal places.");

        if (Description is { Length: > CatalogItem.DescriptionMaxLength })
            errors.Add("description", $"At most {CatalogItem.DescriptionMaxLength} characters (got {Description.Length}).");
        return errors.CheckText(Name, "name").CheckText(Description, "description").ToDictionary();
    }
}

public sealed record ItemResponse(int Id, string Name, decimal Price, string? Description);

/// <summary>GET /items/{id}: the item and the units available to order (0 when the item has no stock row).</summary>
public sealed record ItemDetailResponse(int Id, string Name, decimal Price, string? Description, int InStock);

/// <summary>One stored item as the readers find it, with its version (the ETag) and stock.</summary>
public sealed record StoredItem(int Id, string Name, decimal Price, string? Description, int InStock, int Version)
{
    public ItemDetailResponse ToResponse() => new(Id, Name, Price, Description, InStock);
}


/// <summary>
/// A page of GET /items. <c>next</c> is the cursor of the following page (null on the last). <c>total</c> and
/// <c>total_is_estimate</c> are present only when a total was asked for (or implied by the skip/limit form).
/// </summary>
public sealed record ItemListResponse(
    IReadOnlyList<ItemResponse> Items,
    string? Next,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Total,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? TotalIsEstimate,
    int Skip,
    int Limit);

internal static class CatalogMapping
{
    public static ItemResponse ToResponse(this CatalogItem item) => new(item.Id, item.Name, item.Price, item.Description);

    public static CatalogItem ToEntity(this ItemRequest request) =>
        new() { Name = request.Name!.Trim(), Price = request.Price!.Value, Description = request.Description };
}
