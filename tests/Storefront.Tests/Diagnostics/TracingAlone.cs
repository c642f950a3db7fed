namespace Storefront.Tests.Diagnostics;

/// <summary>
/// Tests whose host exports traces run on their own: its trace listener is process-wide, so while it lives every other
/// test host in the process makes an activity per request too, and tests that check the untraced path (no activity,
/// an error quoting the caller's trace id) would see one.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TracingAlone
{
    public const string Name = "tracing-alone";
}
