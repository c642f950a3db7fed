using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Storefront.Api.Caching;

/// <summary>A cache outage degrades the service (slower, still correct); it never makes it unready.</summary>
internal sealed class CacheHealthCheck(ICacheStore store) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(store.IsAvailable
            ? HealthCheckResult.Healthy(store.IsShared ? "redis" : "in-process")
            : HealthCheckResult.Degraded("Redis is unreachable; answering from the source."));
}
