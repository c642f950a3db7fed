namespace Storefront.Api.Catalog;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ItemRequest))]
[JsonSerializable(typeof(ItemResponse))]
[JsonSerializable(typeof(ItemListResponse))]
[JsonSerializable(typeof(ItemDetailResponse))]
internal sealed partial class CatalogJsonContext : JsonSerializerContext;
