using Microsoft.Extensions.DependencyInjection.Extensions;
using Storefront.Api.Data;
using Storefront.Api.Http;
using Storefront.Api.RateLimits;

namespace Storefront.Api.Catalog;

public static class CatalogExtensions
{
    public static WebApplicationBuilder AddCatalog(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<CatalogOptions>(CatalogOptions.Section);
        services.AddJsonTypes(CatalogJsonContext.Default);
        services.AddRateLimits();
        services.AddRateLimiter(limiter => limiter.AddPolicy(CatalogEndpoints.SearchPolicy, CatalogEndpoints.SearchLimit));
        services.AddSingleton<ICatalogStatistics, CatalogStatistics>();
        services.AddSingleton<CatalogChanges>();
        services.AddSingleton<ISampleData, CatalogSampleData>();
        services.AddSingleton<IBulkSampleData, CatalogBulkSeed>();
        services.AddSingleton<PostgresItemReader>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<SparseSearchTerms>();
        services.AddScoped<SqliteItemReader>();
        // Chosen per request from the store this host uses (resolved late: tests change configuration first).
        services.AddScoped<IItemReader>(sp => sp.GetRequiredService<DatabaseProvider>().Kind == DatabaseKind.Postgres
            ? sp.GetRequiredService<PostgresItemReader>()
            : sp.GetRequiredService<SqliteItemReader>());
        services.AddSingleton<PostgresItemPages>();
        services.AddSingleton<SqliteItemPages>();
        services.AddScoped<ItemPages>(sp => sp.GetRequiredService<DatabaseProvider>().Kind == DatabaseKind.Postgres
            ? sp.GetRequiredService<PostgresItemPages>()
            : sp.GetRequiredService<SqliteItemPages>());
        return builder;
    }
}
