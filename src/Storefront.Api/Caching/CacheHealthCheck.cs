using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Storefront.Api.Caching;

/// <summary>A cache outage degrades the service (slower, still correct); it never makes it unready.</summary>
internal sealed class CacheHealthCheck(CacheAside cache) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(cache.IsAvailable
            ? HealthCheckResult.Healthy(cache.IsShared ? "redis" : "in-process")
            : HealthCheckResult.Degraded("Redis is unreachable; answering from the source."));
}
