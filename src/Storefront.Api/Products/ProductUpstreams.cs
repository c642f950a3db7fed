using Storefront.Api.Upstreams;

namespace Storefront.Api.Products;

/// <summary>The product page's three sources, at <c>Upstreams__{Pricing,Inventory,Reco}</c> with the Products__* policies.</summary>
public sealed class ProductUpstreams
{
    public const string Pricing = "pricing";
    public const string Inventory = "inventory";
    public const string Reco = "reco";

    public ProductUpstreams(UpstreamSources sources, IOptions<UpstreamsOptions> upstreams)
    {
        var o = upstreams.Value;
        All = [sources.Create(Pricing, o.Pricing, "pricing"), sources.Create(Inventory, o.Inventory, "inventory"), sources.Create(Reco, o.Reco, "reco")];
    }

    /// <summary>Pricing, inventory and reco, in that order.</summary>
    public IReadOnlyList<UpstreamSource> All { get; }
}
