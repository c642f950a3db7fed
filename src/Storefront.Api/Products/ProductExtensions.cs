using Microsoft.Extensions.Options;
using Storefront.Api.Http;

namespace Storefront.Api.Products;

public static class ProductExtensions
{
    public static WebApplicationBuilder AddProducts(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ProductsOptions>().BindConfiguration(ProductsOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ProductsOptions>, ProductsOptionsValidator>();
        services.AddJsonTypes(ProductsJsonContext.Default);
        services.AddSingleton<ProductUpstreams>();
        services.AddSingleton<ProductAggregator>();
        return builder;
    }
}
