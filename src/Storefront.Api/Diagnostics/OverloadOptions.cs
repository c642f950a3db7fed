namespace Storefront.Api.Diagnostics;

/// <summary>Overload__*: shedding the excess with a fast 503 when the machine cannot keep up.</summary>
public sealed class OverloadOptions : IValidatableObject
{
    public const string Section = "Overload";

    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The thread pool's queueing delay (the time a work item waits for a thread, measured by the lag probe) above which
    /// requests in flight are limited. A latency every request pays on top of its own work, not a machine's capacity.
    /// </summary>
    [Range(1, 10_000)]
    public int TargetDelayMs { get; set; } = 50;

    /// <summary>
    /// The delay the limit holds requests at once it is limiting: lower than the target, so that the requests it admits
    /// are answered about as fast as without overload, not each after a wait of the target.
    /// </summary>
    [Range(1, 10_000)]
    public int HoldDelayMs { get; set; } = 10;

    /// <summary>
    /// How long the delay must stay above the target before anything is refused: a burst that drains sooner is served.
    /// </summary>
    [Range(0, 60_000)]
    public int IntervalMs { get; set; } = 2000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (HoldDelayMs > TargetDelayMs)
            yield return new ValidationResult($"Overload__HoldDelayMs ({HoldDelayMs}) must not be above Overload__TargetDelayMs ({TargetDelayMs}).",
                [nameof(HoldDelayMs)]);
    }
}
