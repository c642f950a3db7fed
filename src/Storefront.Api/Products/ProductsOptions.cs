using Storefront.Api.Upstreams;

namespace Storefront.Api.Products;

/// <summary>How the product page treats each of its sources (<c>Products__{Pricing,Inventory,Reco}__*</c>).</summary>
public sealed class ProductsOptions
{
    public const string Section = "Products";

    public SourcePolicy Pricing { get; set; } = new();
    public SourcePolicy Inventory { get; set; } = new();

    /// <summary>Recommendations are nice to have: by default a slow reco service costs 250 ms, not the page.</summary>
    public SourcePolicy Reco { get; set; } = new() { TimeoutMs = 250, Required = false };
}

/// <summary>Every problem in the startup error, each naming its setting.</summary>
internal sealed class ProductsOptionsValidator : IValidateOptions<ProductsOptions>
{
    public ValidateOptionsResult Validate(string? name, ProductsOptions options)
    {
        var problems = options.Pricing.Problems("Products__Pricing")
            .Concat(options.Inventory.Problems("Products__Inventory"))
            .Concat(options.Reco.Problems("Products__Reco"))
            .ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
