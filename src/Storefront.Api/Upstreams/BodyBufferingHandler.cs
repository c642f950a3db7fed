namespace Storefront.Api.Upstreams;

/// <summary>
/// Reads a successful answer's body inside the resilience pipeline (this handler sits under it), so the source's
/// deadline covers the body as well as the headers, and a body cut off or over <c>Upstreams__MaxResponseBytes</c>
/// counts as that attempt failing. HttpClient would otherwise read it after the pipeline had returned.
/// </summary>
internal sealed class BodyBufferingHandler(int maxBytes) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode) return response; // The status decides; an error's body is never read.
        try
        {
            await response.Content.LoadIntoBufferAsync(maxBytes, cancellationToken);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }
}
