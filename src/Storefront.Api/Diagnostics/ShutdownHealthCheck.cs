using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Storefront.Api.Diagnostics;

/// <summary>Unhealthy while the instance drains, so balancers and Kubernetes stop sending it traffic.</summary>
internal sealed class ShutdownHealthCheck(ShutdownDrain drain) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(drain.IsDraining ? HealthCheckResult.Unhealthy("shutting down") : HealthCheckResult.Healthy());
}
