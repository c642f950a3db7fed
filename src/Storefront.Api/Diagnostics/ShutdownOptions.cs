namespace Storefront.Api.Diagnostics;

public sealed class ShutdownOptions
{
    public const string Section = "Shutdown";

    /// <summary>
    /// On SIGTERM, how long the instance goes on serving with readiness at 503 (and Connection: close on every
    /// response) before Kestrel stops accepting: the time a balancer needs to take it out of rotation. 0 stops at once,
    /// which suits a local Ctrl+C; behind a balancer use a little more than its health-check or endpoint-update delay.
    /// </summary>
    [Range(0, 300)]
    public int DrainDelaySeconds { get; set; }
}
