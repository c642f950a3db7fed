namespace Storefront.Api.Products;

public static class ProductExtensions
{
    public static WebApplicationBuilder AddProducts(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ProductAggregator>();
        return builder;
    }
}
