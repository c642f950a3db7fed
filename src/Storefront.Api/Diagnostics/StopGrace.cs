namespace Storefront.Api.Diagnostics;

/// <summary>
/// Time a part of the service needs, after the drain, to stop cleanly (the job worker's grace for running jobs).
/// Registered by the part that needs it, so the host's stop timeout is computed here alone.
/// </summary>
public sealed record StopGrace(string Part, TimeSpan Time);
