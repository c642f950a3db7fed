using Storefront.Api.Upstreams;

namespace Storefront.Api.Products;

/// <summary>The fan-out result: upstream bodies passed through, plus how each source fared.</summary>
public sealed record ProductResponse(
    int Id, RawJson? Price, RawJson? Stock, RawJson? Reco, bool Complete, ProductSources Sources);

public sealed record ProductSources(SourceReport Pricing, SourceReport Inventory, SourceReport Reco);
