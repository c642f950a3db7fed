namespace Storefront.Api.Products;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ProductResponse))]
internal sealed partial class ProductsJsonContext : JsonSerializerContext;
