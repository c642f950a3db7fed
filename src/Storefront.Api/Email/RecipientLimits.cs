using System.Globalization;
using System.Threading.RateLimiting;
using Storefront.Api.Data;
using Storefront.Api.RateLimits;

namespace Storefront.Api.Email;

/// <summary>
/// /send-email per recipient (RateLimits__RecipientPermits per window, shared through Redis like the other limits),
/// whoever asks: many accounts together cannot turn the service against one mailbox.
/// </summary>
internal sealed class RecipientLimits : IDisposable
{
    private const string Policy = "send-email-recipient";
    private readonly PartitionedRateLimiter<string> _limiter;

    public RecipientLimits(RedisWindows windows, IOptions<RateLimitsOptions> options)
    {
        var o = options.Value;
        _limiter = PartitionedRateLimiter.Create<string, string>(recipient => SharedLimits.Partition(windows, Policy, recipient,
            o.RecipientPermits, TimeSpan.FromSeconds(o.WindowSeconds), TimeSpan.FromMilliseconds(o.RedisTimeoutMs)));
    }

    /// <returns>null when a message to <paramref name="recipient"/> may be queued; otherwise the 429 to answer.</returns>
    public async Task<ProblemHttpResult?> RefuseAsync(HttpContext context, string recipient, CancellationToken cancellationToken)
    {
        using var lease = await _limiter.AcquireAsync(recipient.ToLowerInvariant(), 1, cancellationToken);
        if (lease.IsAcquired) return null;
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
        context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem($"Too many messages to this recipient; try again in {retryAfter} s.",
            statusCode: StatusCodes.Status429TooManyRequests);
    }

    public void Dispose() => _limiter.Dispose();
}
