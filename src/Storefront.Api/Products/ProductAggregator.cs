using System.Globalization;
using Storefront.Api.Upstreams;

namespace Storefront.Api.Products;

/// <summary>
/// The product page (docs/seeds.md): pricing, inventory and recommendations called at once, so the page
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
        var pricing = sources[0].FetchAsync(suffix, fanOut.Token, fanOut);
        var inventory = sources[1].FetchAsync(suffix, fanOut.Token, fanOut);
        var reco = sources[2].FetchAsync(suffix, fanOut.Token, fanOut);
        // A call stopped by the fan-out's token ends cancelled; that is a status here, not an exception to unwind.
        await Task.WhenAll((Task)pricing, inventory, reco).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        requestAborted.ThrowIfCancellationRequested();

        var results = new[] { await Settled(pricing, sources[0]), await Settled(inventory, sources[1]), await Settled(reco, sources[2]) };
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

    /// <summary>A finished call's result; a call a failed sibling stopped says so (any other fault is rethrown).</summary>
    private static ValueTask<SourceResult> Settled(Task<SourceResult> call, UpstreamSource source) => call.IsCanceled
        ? ValueTask.FromResult(new SourceResult(source.Name, SourceStatus.Cancelled, null, 0, "a required source failed first"))
        : new ValueTask<SourceResult>(call);
}

/// <summary>Either the product page or the required source that made it impossible.</summary>
public readonly record struct ProductOutcome(ProductResponse? Product, SourceResult? Failure);
