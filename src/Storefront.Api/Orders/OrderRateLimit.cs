using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Storefront.Api.Accounts;
using Storefront.Api.Data;
using Storefront.Api.Http;
using Storefront.Api.RateLimits;

namespace Storefront.Api.Orders;

/// <summary>
/// Orders__MaxOrdersPerMinute, per user (the token's subject, not the address: buyers behind one NAT are separate,
/// one buyer on many addresses is not). With Redis the window is shared by every instance. Every POST /orders counts,
/// refused ones and idempotent replays too: the limit is on what a client asks, which is what it can flood.
/// </summary>
internal sealed class OrderRateLimit(IOptions<OrdersOptions> orders, IOptions<RateLimitsOptions> limits, RedisWindows windows)
    : IRateLimiterPolicy<string>
{
    public const string Policy = "orders";

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; } = RejectAsync;

    public RateLimitPartition<string> GetPartition(HttpContext httpContext)
    {
        var permits = orders.Value.MaxOrdersPerMinute;
        // Anonymous requests never reach the handler (401), and 0 turns the limit off.
        if (permits == 0 || CurrentUser.Id(httpContext.User) is not { } userId) return RateLimitPartition.GetNoLimiter("none");
        var key = userId.ToString(CultureInfo.InvariantCulture);
        var window = new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 };
        if (!windows.IsConfigured) return RateLimitPartition.GetFixedWindowLimiter(key, _ => window);
        return RateLimitPartition.Get(key, k =>
            windows.CreateLimiter($"{Policy}:{k}", window, TimeSpan.FromMilliseconds(limits.Value.RedisTimeoutMs)));
    }

    private static ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var permits = rejected.HttpContext.RequestServices.GetRequiredService<IOptions<OrdersOptions>>().Value.MaxOrdersPerMinute;
        return Problems.RateLimitedAsync(rejected.Lease, rejected.HttpContext, 60, retryAfter =>
            $"This account has placed {permits} orders in the last minute, the most a user may (Orders__MaxOrdersPerMinute); " +
            $"try again in {retryAfter} s.", "Orders__MaxOrdersPerMinute");
    }
}
