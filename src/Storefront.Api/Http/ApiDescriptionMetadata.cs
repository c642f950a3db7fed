namespace Storefront.Api.Http;

/// <summary>
/// What an endpoint tells the OpenAPI document that its result types cannot: a header on one of its responses
/// (a 201's or 202's <c>Location</c>), or that it reads a bearer token without requiring one. The document's
/// conventions (Diagnostics/OpenApiOperations) read these; everything else they derive from the framework's own metadata.
/// </summary>
public static class ApiDescriptionMetadata
{
    /// <summary>The response with <paramref name="statusCode"/> carries <c>Location</c>.</summary>
    public static TBuilder WithLocation<TBuilder>(this TBuilder builder, int statusCode, string description)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ResponseHeader(statusCode, "Location", description));

    /// <summary>
    /// The endpoint never answers <paramref name="statusCode"/> although the document's conventions would list it (a path
    /// parameter usually means a 404; the product page asks its sources about any id).
    /// </summary>
    public static TBuilder WithoutResponse<TBuilder>(this TBuilder builder, int statusCode) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new OmittedResponse(statusCode));

    /// <summary>A token is used when sent (to show the caller more) but not required: no 401 for its absence.</summary>
    public static TBuilder WithOptionalBearer<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(OptionalBearer.Instance);
}

/// <summary>A header that the response with <see cref="StatusCode"/> carries.</summary>
public sealed record ResponseHeader(int StatusCode, string Name, string Description);

/// <summary>See <see cref="ApiDescriptionMetadata.WithoutResponse{TBuilder}"/>.</summary>
public sealed record OmittedResponse(int StatusCode);

/// <summary>See <see cref="ApiDescriptionMetadata.WithOptionalBearer{TBuilder}"/>.</summary>
public sealed class OptionalBearer
{
    public static readonly OptionalBearer Instance = new();

    private OptionalBearer()
    {
    }
}
