using Microsoft.Extensions.Diagnostics.HealthChecks;
using Polly.CircuitBreaker;

namespace Storefront.Api.Upstreams;

/// <summary>
/// An open circuit degrades the service, it never makes it unready: taking instances out of the load balancer would not
/// bring an upstream back, and every other endpoint still works. Pages that need the source answer 503 meanwhile.
/// </summary>
internal sealed class UpstreamsHealthCheck(UpstreamCircuits circuits, IServiceProvider services) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var notClosed = circuits.All.Where(c => c.State != CircuitState.Closed)
            .Select(c => $"{c.Source} ({Describe(c)})").ToList();
        return Task.FromResult(notClosed.Count == 0
            ? HealthCheckResult.Healthy($"{circuits.All.Count} circuits closed")
            : HealthCheckResult.Degraded($"Circuit not closed: {string.Join(", ", notClosed)}."));
    }

    private string Describe(SourceCircuit circuit)
    {
        var state = circuit.State == CircuitState.HalfOpen ? "half-open" : "open";
        var required = services.GetRequiredKeyedService<SourcePolicy>(circuit.Source).Required ? "required" : "optional";
        return $"{state}, {required}";
    }
}
