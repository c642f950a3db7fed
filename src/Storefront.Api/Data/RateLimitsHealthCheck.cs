using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Storefront.Api.Data;

/// <summary>Rate limits counted per instance during a Redis outage are looser, not broken: degraded, never unready.</summary>
internal sealed class RateLimitsHealthCheck(RedisWindows windows) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(windows.IsAvailable
            ? HealthCheckResult.Healthy(windows.IsConfigured ? "redis" : "in-process")
            : HealthCheckResult.Degraded("Redis is unreachable; rate limits are counted per instance."));
}
