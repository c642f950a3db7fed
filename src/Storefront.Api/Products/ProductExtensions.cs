using Storefront.Api.Http;
using Storefront.Api.Upstreams;

namespace Storefront.Api.Products;

public static class ProductExtensions
{
    public static WebApplicationBuilder AddProducts(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ProductsOptions>().BindConfiguration(ProductsOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ProductsOptions>, ProductsOptionsValidator>();
        services.AddUpstreamSource(ProductUpstreams.Pricing, sp => Options(sp).Pricing)
            .AddUpstreamSource(ProductUpstreams.Inventory, sp => Options(sp).Inventory)
            .AddUpstreamSource(ProductUpstreams.Reco, sp => Options(sp).Reco);
        services.AddJsonTypes(ProductsJsonContext.Default);
        services.AddSingleton<ProductUpstreams>();
        services.AddSingleton<ProductAggregator>();
        services.ConfigureAll<Microsoft.AspNetCore.OpenApi.OpenApiOptions>(ProductSchemas.Add);
        return builder;
    }

    private static ProductsOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<ProductsOptions>>().Value;
}
