using Microsoft.Extensions.Options;
using Storefront.Api.Upstreams;

namespace Storefront.Api.Products;

/// <summary>The product page's three sources, at <c>Upstreams__{Pricing,Inventory,Reco}</c> with the Products__* policies.</summary>
public sealed class ProductUpstreams(UpstreamSources sources, IOptions<UpstreamsOptions> upstreams, IOptions<ProductsOptions> products)
{
    public UpstreamSource Pricing { get; } = sources.Create("pricing", upstreams.Value.Pricing, "pricing", products.Value.Pricing);
    public UpstreamSource Inventory { get; } = sources.Create("inventory", upstreams.Value.Inventory, "inventory", products.Value.Inventory);
    public UpstreamSource Reco { get; } = sources.Create("reco", upstreams.Value.Reco, "reco", products.Value.Reco);
}
