using System.Globalization;
using Storefront.Api.Upstreams;

namespace Storefront.Api.Products;

/// <summary>
/// The seed's "industry project": pricing, inventory and recommendations called at once, so the page
/// costs the slowest of them, not the sum. A required source that fails stops the others straight away,
/// and one whose circuit is open stops the page before any call is made.
/// </summary>
public sealed class ProductAggregator(ProductUpstreams upstreams)
{
    public async Task<ProductOutcome> GetAsync(int id, CancellationToken requestAborted)
    {
        var sources = upstreams.All;
        foreach (var source in sources)
            if (source.Required && source.RefuseIfOpen() is { } refused) return new ProductOutcome(null, refused);

        using var fanOut = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        var suffix = id.ToString(CultureInfo.InvariantCulture);
        var pricing = FetchAsync(sources[0], suffix, fanOut);
        var inventory = FetchAsync(sources[1], suffix, fanOut);
        var reco = FetchAsync(sources[2], suffix, fanOut);
        await Task.WhenAll(pricing, inventory, reco);
        requestAborted.ThrowIfCancellationRequested();

        // Awaited above: these are complete and never faulted (FetchAsync reports, it does not throw).
        var results = new[] { await pricing, await inventory, await reco };
        SourceResult? failure = null;
        for (var i = 0; i < results.Length; i++)
        {
            var result = results[i];
            // The first required source to fail decides the answer; the ones it cancelled say "cancelled".
            if (sources[i].Required && !result.Succeeded && result.Status != SourceStatus.Cancelled &&
                (failure is null || result.Ms < failure.Value.Ms))
                failure = result;
        }
        if (failure is not null) return new ProductOutcome(null, failure);

        var (p, s, r) = (results[0], results[1], results[2]);
        return new ProductOutcome(new ProductResponse(
            id, p.Body, s.Body, r.Body,
            Complete: p.Succeeded && s.Succeeded && r.Succeeded,
            new ProductSources(p.ToReport(), s.ToReport(), r.ToReport())), null);
    }

    private static async Task<SourceResult> FetchAsync(UpstreamSource source, string suffix, CancellationTokenSource fanOut)
    {
        try
        {
            var result = await source.FetchAsync(suffix, fanOut.Token);
            if (source.Required && !result.Succeeded) await fanOut.CancelAsync();
            return result;
        }
        catch (OperationCanceledException)
        {
            return new SourceResult(source.Name, SourceStatus.Cancelled, null, 0, "a required source failed first");
        }
    }
}

/// <summary>Either the product page or the required source that made it impossible.</summary>
public readonly record struct ProductOutcome(ProductResponse? Product, SourceResult? Failure);
