namespace Storefront.Api.Caching;

public static class CachingEndpoints
{
    public const string CacheHeader = "X-Cache";

    public static RouteGroupBuilder MapCaching(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Caching");
        group.MapGet("/cached-data", CachedData)
            .WithSummary("Catalog count and average price, cache-aside under key 'data'")
            .Produces<DataSummary>(contentType: "application/json");
        group.MapGet("/expensive-endpoint", Expensive)
            .WithSummary("A response-cached catalog summary")
            .Produces<CatalogSummary>(contentType: "application/json");
        return group;
    }

    private static async Task<FileContentHttpResult> CachedData(
        HttpContext context, CacheAside cache, CatalogSummaries summaries, IOptions<CachingOptions> options, CancellationToken cancellationToken)
    {
        var value = await cache.GetOrCreateAsync(CatalogSummaries.DataKey, TimeSpan.FromSeconds(options.Value.DataTtlSeconds),
            summaries.ComputeDataAsync, cancellationToken);
        return Send(context, value);
    }

    private static async Task<FileContentHttpResult> Expensive(
        HttpContext context, CacheAside cache, CatalogSummaries summaries, IOptions<CachingOptions> options, CancellationToken cancellationToken)
    {
        var value = await cache.GetOrCreateAsync(CatalogSummaries.ExpensiveKey, TimeSpan.FromSeconds(options.Value.ExpensiveTtlSeconds),
            summaries.ComputeExpensiveAsync, cancellationToken);
        return Send(context, value);
    }

    // The cached bytes are the response body: a hit costs no serialisation at all.
    private static FileContentHttpResult Send(HttpContext context, CachedValue value)
    {
        context.Response.Headers[CacheHeader] = value.Header;
        return TypedResults.Bytes(value.Value, "application/json");
    }
}
