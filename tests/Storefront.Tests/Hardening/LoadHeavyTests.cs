namespace Storefront.Tests.Hardening;

/// <summary>
/// The input corpus and the registration race keep both cores busy for seconds (hundreds of requests, password
/// hashes). Run on their own, after the parallel test classes, they cannot push another class's deadline-bound
/// requests (the product page's 250 ms recommendation deadline) past their deadlines.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LoadHeavyTests
{
    public const string Name = "load-heavy";
}
