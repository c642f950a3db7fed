using Storefront.Api.Data;
using Storefront.Api.Http;

namespace Storefront.Api.Orders;

public static class OrdersExtensions
{
    public static WebApplicationBuilder AddOrders(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<OrdersOptions>(OrdersOptions.Section);
        services.AddJsonTypes(OrdersJsonContext.Default);
        services.AddScoped<OrderPlacement>();
        services.AddScoped<IOrderBatch>(sp => sp.GetRequiredService<DatabaseProvider>().Kind == DatabaseKind.Postgres
            ? ActivatorUtilities.CreateInstance<PostgresOrderBatch>(sp)
            : new NoOrderBatch());
        services.AddScoped<OrderBook>();
        services.AddSingleton<OrderRateLimit>();
        services.AddRateLimiter(limiter => limiter.AddPolicy<string, OrderRateLimit>(OrderRateLimit.Policy));
        return builder;
    }
}
