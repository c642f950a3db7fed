using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Storefront.Api.Products;

/// <summary>
/// The sources' bodies are passed through as raw JSON (no parse, no re-serialisation), so the generator sees only "any
/// JSON". What the bundled simulator answers, and what the service expects of real sources, is described here instead.
/// Extra members of a body are passed through too, hence additionalProperties.
/// </summary>
internal static class ProductSchemas
{
    public static void Add(OpenApiOptions options) => options.AddDocumentTransformer((document, _, _) =>
    {
        var schemas = document.Components?.Schemas;
        if (schemas is null || !schemas.TryGetValue("ProductResponse", out var product) || product is not OpenApiSchema { Properties: { } properties })
            return Task.CompletedTask;
        schemas["PricingBody"] = Body("The pricing source's body.", ("price", Number()), ("currency", Text("ISO 4217 code, e.g. USD")));
        schemas["InventoryBody"] = Body("The inventory source's body.", ("in_stock", Integer("Units in stock")));
        schemas["RecoBody"] = Body("The recommendations source's body.",
            ("items", new OpenApiSchema { Type = JsonSchemaType.Array, Items = Integer(null), Description = "Recommended product ids" }));
        properties["price"] = NullOr("PricingBody", "null when an optional pricing source did not answer");
        properties["stock"] = NullOr("InventoryBody", "null when an optional inventory source did not answer");
        properties["reco"] = NullOr("RecoBody", "null when the recommendations source did not answer (optional by default)");
        return Task.CompletedTask;
    });

    private static OpenApiSchema Body(string description, params (string Name, IOpenApiSchema Schema)[] members)
    {
        var properties = new Dictionary<string, IOpenApiSchema> { ["id"] = Integer("The product id") };
        foreach (var (name, schema) in members) properties[name] = schema;
        return new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = description,
            Properties = properties,
            AdditionalPropertiesAllowed = true,
        };
    }

    private static OpenApiSchema NullOr(string component, string description) => new()
    {
        Description = description,
        OneOf = [new OpenApiSchema { Type = JsonSchemaType.Null }, new OpenApiSchemaReference(component)],
    };

    private static OpenApiSchema Number() => new() { Type = JsonSchemaType.Number, Format = "double" };

    private static OpenApiSchema Integer(string? description) => new() { Type = JsonSchemaType.Integer, Format = "int32", Description = description };

    private static OpenApiSchema Text(string description) => new() { Type = JsonSchemaType.String, Description = description };
}
