using System.Text.Json;
using System.Text.Json.Serialization;

namespace Storefront.Api.Products;

/// <summary>The fan-out result: upstream bodies passed through, plus how each source fared.</summary>
public sealed record ProductResponse(
    int Id, JsonElement? Price, JsonElement? Stock, JsonElement? Reco, bool Complete, ProductSources Sources);

public sealed record ProductSources(SourceReport Pricing, SourceReport Inventory, SourceReport Reco);

public sealed record SourceReport(
    string Status,
    double Ms,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Detail);
