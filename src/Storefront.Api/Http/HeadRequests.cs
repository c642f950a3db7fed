namespace Storefront.Api.Http;

/// <summary>
/// HEAD wherever GET is answered, as HTTP expects (RFC 9110 §9.3.2): MapGet maps GET alone, so HEAD was a 405.
/// Routing does the work (no per-request cost, and a 405's Allow lists HEAD); the GET handler runs, and Kestrel sends
/// its status and headers without the body. Where GET's length is not known before it is written (chunked), HEAD
/// carries no Content-Length, which HTTP allows.
/// </summary>
public static class HeadRequests
{
    /// <summary>Adds HEAD to every endpoint under <paramref name="builder"/> that answers GET.</summary>
    public static TBuilder AnswerHeadWhereGetIs<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        // Finally: after every endpoint's own conventions, so the method list it ends with is the one extended.
        builder.Finally(AddHead);
        return builder;
    }

    private static void AddHead(EndpointBuilder endpoint)
    {
        // Routing reads the last method metadata; none means every method, HEAD included.
        if (endpoint.Metadata.OfType<IHttpMethodMetadata>().LastOrDefault() is not { } methods) return;
        if (!methods.HttpMethods.Contains(HttpMethods.Get, StringComparer.OrdinalIgnoreCase)
            || methods.HttpMethods.Contains(HttpMethods.Head, StringComparer.OrdinalIgnoreCase)) return;
        endpoint.Metadata.Add(new HttpMethodMetadata([.. methods.HttpMethods, HttpMethods.Head], methods.AcceptCorsPreflight));
    }
}
