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

    // The id is checked here rather than by an IValidatable argument: that rule would add the validation filter's layer
    // (every argument boxed, the handler awaited through ValueTask<object>) to the busiest fan-out endpoint for one
    // comparison. Its raw text ("abc") is still checked by WithValidation's raw input rules before the handler.
    private static async Task<Results<JsonOk<ProductResponse>, ProblemHttpResult, ValidationProblem>> GetProduct(
        [FromRoute] int id, ProductAggregator aggregator, HttpContext context, CancellationToken cancellationToken)
    {
        if (id < 1) return ValidationExtensions.Invalid(new() { ["id"] = ["Must be a whole number of 1 or more."] });
        var outcome = await aggregator.GetAsync(id, cancellationToken);
        if (outcome.Product is { } product) return JsonOk.Of(product);

        return outcome.Failure!.Value.ToProblem(context);
    }
}
