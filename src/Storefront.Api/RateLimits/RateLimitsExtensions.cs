using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Storefront.Api.Data;
using Storefront.Api.Http;

namespace Storefront.Api.RateLimits;

public static class RateLimitsExtensions
{
    /// <summary>
    /// What every feature that rate limits needs, added once whichever asks first: the RateLimits section, the fixed
    /// windows shared by every instance through Redis (<see cref="RedisWindows"/>), their state in readiness as
    /// "rate_limits", and the one 429 answer of the policies that do not write their own.
    /// </summary>
    public static IServiceCollection AddRateLimits(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(RedisWindows))) return services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddValidatedOptions<RateLimitsOptions>(RateLimitsOptions.Section);
        services.AddSingleton<RedisWindows>();
        services.AddHealthChecks().AddRedisCheck<RedisWindows>("rate_limits", w => w.IsConfigured, w => w.IsAvailable,
            "Redis is unreachable; rate limits are counted per instance.");
        services.AddRateLimiter(limiter => limiter.OnRejected = OnRejectedAsync);
        return services;
    }

    private static ValueTask OnRejectedAsync(OnRejectedContext rejected, CancellationToken cancellationToken) =>
        Problems.RateLimitedAsync(rejected.Lease, rejected.HttpContext, 1,
            retryAfter => $"Too many requests of this kind from this client; try again in {retryAfter} s.");
}
