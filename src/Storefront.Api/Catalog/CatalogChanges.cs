namespace Storefront.Api.Catalog;

/// <summary>One stored catalog write: the item and its price now (null once it is deleted).</summary>
public sealed record CatalogChange(int ItemId, decimal? Price)
{
    public bool Deleted => Price is null;
}

/// <summary>
/// Told after every catalog write has been stored (create, update, delete). Features that keep something derived
/// from the catalog (the cache, the live feed) register one; the catalog does not know who listens.
/// </summary>
public interface ICatalogChangeListener
{
    ValueTask CatalogChangedAsync(CatalogChange change, CancellationToken cancellationToken);
}

/// <summary>Tells every <see cref="ICatalogChangeListener"/> what has changed in the catalog.</summary>
public sealed class CatalogChanges(IEnumerable<ICatalogChangeListener> listeners)
{
    public async ValueTask NotifyAsync(CatalogChange change, CancellationToken cancellationToken)
    {
        foreach (var listener in listeners) await listener.CatalogChangedAsync(change, cancellationToken);
    }
}
