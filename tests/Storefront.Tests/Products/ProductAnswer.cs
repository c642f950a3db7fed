using Storefront.Api.Products;
using Storefront.Upstreams;

namespace Storefront.Tests.Products;

/// <summary>
/// GET /product/{id} as a client reads it: the service's <see cref="ProductResponse"/>, with the bodies it passes
/// through typed as the simulator writes them.
/// </summary>
public sealed record ProductAnswer(int Id, PriceBody? Price, StockBody? Stock, RecoBody? Reco, bool Complete, ProductSourcesAnswer Sources)
{
    /// <summary>Asserts a partial page: everything but reco (the optional source), whose report has this status; returns it.</summary>
    public SourceAnswer ShouldLackReco(string status)
    {
        Assert.False(Complete);
        Assert.Null(Reco);
        Assert.NotNull(Price);
        Assert.Equal(status, Sources.Reco.Status);
        return Sources.Reco;
    }
}

/// <summary>The service's <see cref="ProductSources"/>, each read as a <see cref="SourceAnswer"/>.</summary>
public sealed record ProductSourcesAnswer(SourceAnswer Pricing, SourceAnswer Inventory, SourceAnswer Reco);

internal static class ProductRequests
{
    /// <summary>GET /product/{id}, which must answer 200.</summary>
    public static async Task<ProductAnswer> GetProductAsync(this HttpClient client, int id) =>
        await (await client.GetAsync($"/product/{id}")).ShouldBeJsonAsync<ProductAnswer>();
}
