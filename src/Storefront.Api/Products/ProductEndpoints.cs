using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Storefront.Api.Http;

namespace Storefront.Api.Products;

public static class ProductEndpoints
{
    public static RouteGroupBuilder MapProducts(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/product").WithTags("Products");
        group.MapGet("/{id}", GetProduct)
            .WithSummary("Product page: pricing, inventory and recommendations fetched concurrently");
        return group;
    }

    private static async Task<Results<Ok<ProductResponse>, ProblemHttpResult, ValidationProblem>> GetProduct(
        [FromRoute] int id, ProductAggregator aggregator, CancellationToken cancellationToken)
    {
        if (id < 1) return Problems.Invalid("id", "Must be a whole number of 1 or more.");
        var outcome = await aggregator.GetAsync(id, cancellationToken);
        if (outcome.Product is { } product) return TypedResults.Ok(product);

        return Problems.UpstreamFailed(outcome.Failure!.Value);
    }
}
