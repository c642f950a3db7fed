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

/// <summary>
/// A feature's generated rows at scale, for <c>seed --{OptionName} N</c> (benchmarks and anyone reproducing them): tops the
/// feature's table up to N rows. Registered by the feature, so Data knows only the option's name.
/// </summary>
public interface IBulkSampleData
{
    /// <summary>The command-line option without dashes ("items").</summary>
    string OptionName { get; }

    /// <summary>Adds generated rows until the table holds <paramref name="target"/>; returns how many were added.</summary>
    Task<long> SeedToAsync(long target, CancellationToken cancellationToken);
}
