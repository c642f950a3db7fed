namespace Storefront.Api.Caching;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(DataSummary))]
[JsonSerializable(typeof(CatalogSummary))]
internal sealed partial class CachingJsonContext : JsonSerializerContext;
