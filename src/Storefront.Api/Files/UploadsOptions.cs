namespace Storefront.Api.Files;

/// <summary>Bounds on uploads (<c>Uploads__*</c>); the bytes live under <c>Storage__Path/uploads</c>.</summary>
public sealed class UploadsOptions : IValidatableObject
{
    public const string Section = "Uploads";

    /// <summary>Largest file: the upload is refused (413) at the first byte past it.</summary>
    [Range(1, 1L << 40)]
    public long MaxBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>What one user may keep stored in all.</summary>
    [Range(1, long.MaxValue)]
    public long QuotaBytes { get; set; } = 1L << 30;

    /// <summary>Uploads in flight on this instance; one more is answered 503 with Retry-After.</summary>
    [Range(1, 10_000)]
    public int MaxConcurrent { get; set; } = 64;

    /// <summary>Uploads one user may have in flight at once (on this instance); one more is answered 429 with Retry-After.</summary>
    [Range(1, 10_000)]
    public int MaxConcurrentPerUser { get; set; } = 4;

    /// <summary>
    /// Slowest an upload's body may arrive, after MinRateGraceSeconds: below it the connection is closed. 10 KB/s is a
    /// poor mobile link (80 kbit/s); a client trickling just above Kestrel's 240 bytes/s default could otherwise hold an
    /// upload place for the whole TimeoutSeconds.
    /// </summary>
    [Range(1, 1L << 30)]
    public long MinBytesPerSecond { get; set; } = 10 * 1024;

    [Range(1, 3600)]
    public int MinRateGraceSeconds { get; set; } = 10;

    /// <summary>
    /// Free space the store keeps: an upload that would start while less than this (plus the file's declared size) is
    /// free is refused with 507 before a byte is written, so uploads never fill the disk the database and logs share.
    /// </summary>
    [Range(0, long.MaxValue)]
    public long MinFreeBytes { get; set; } = 1L << 30;

    /// <summary>Deadline for a whole upload (the body's minimum data rate guards against slow senders meanwhile).</summary>
    [Range(1, 24 * 3600)]
    public int TimeoutSeconds { get; set; } = 600;

    /// <summary>
    /// Content types accepted, as sniffed from the file's first bytes (the client's declared type is not trusted).
    /// Empty: any, including <c>application/octet-stream</c> for what is not recognised.
    /// </summary>
    public List<string> AllowedContentTypes { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var type in AllowedContentTypes.Where(t => !ContentSniffer.Known.Contains(t)))
            yield return new ValidationResult(
                $"Uploads__AllowedContentTypes: '{type}' is not a type the server recognises; use any of {string.Join(", ", ContentSniffer.Known)}.",
                [nameof(AllowedContentTypes)]);
    }
}
