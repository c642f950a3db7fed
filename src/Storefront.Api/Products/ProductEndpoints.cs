using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Storefront.Api.Http;
using Storefront.Api.Upstreams;

namespace Storefront.Api.Products;

public static class ProductEndpoints
{
    public static RouteGroupBuilder MapProducts(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/product").WithTags("Products").WithValidation();
        group.MapGet("/{id}", GetProduct)
            .WithSummary("Product page: pricing, inventory and recommendations fetched concurrently")
            // A required source that failed (502), timed out (504), or is refused by its circuit or concurrency limit (503).
            .ProducesProblem(StatusCodes.Status502BadGateway).ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout).WithoutResponse(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<Results<Ok<ProductResponse>, ProblemHttpResult, ValidationProblem>> GetProduct(
        [AsParameters] ProductRoute route, ProductAggregator aggregator, HttpContext context, CancellationToken cancellationToken)
    {
        var outcome = await aggregator.GetAsync(route.Id, cancellationToken);
        if (outcome.Product is { } product) return TypedResults.Ok(product);

        return outcome.Failure!.Value.ToProblem(context);
    }
}

/// <summary>The <c>{id}</c> of /product/{id}.</summary>
public sealed record ProductRoute([FromRoute] int Id) : IValidatable
{
    public Dictionary<string, string[]>? Validate() =>
        new ValidationErrors().Check(Id >= 1, "id", "Must be a whole number of 1 or more.").ToDictionary();
}
