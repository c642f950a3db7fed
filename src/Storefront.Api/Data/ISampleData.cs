namespace Storefront.Api.Data;

/// <summary>
/// A feature's sample rows, added when the embedded store is created (Database__SeedOnCreate) and by the
/// <c>seed</c> command. Registered by the feature that owns the rows, so Data knows none of them.
/// </summary>
public interface ISampleData
{
    /// <summary>What the rows are, for messages ("sample items").</summary>
    string Name { get; }

    /// <summary>Adds the samples when the feature's table is empty; returns how many were added.</summary>
    Task<int> SeedAsync(CancellationToken cancellationToken);
}
