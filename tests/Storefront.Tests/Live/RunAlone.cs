namespace Storefront.Tests.Live;

/// <summary>
/// Live tests that run on their own, after the parallel test classes: the slow-consumer tests keep a core busy for
/// seconds, the cross-instance test holds a latency to a 200 ms bound, and the backlog test reads the managed
/// memory of the test process, which other classes' hosts starting meanwhile would add to.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunAlone
{
    public const string Name = "live-alone";
}
