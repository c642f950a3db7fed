using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Storefront.Api.Data;

/// <summary>
/// Readiness of a part that uses Redis and keeps working without it (slower or looser, still correct): healthy
/// ("redis", or "in-process" without Redis), degraded during an outage, never unready.
/// </summary>
public sealed class RedisHealthCheck(Func<bool> isShared, Func<bool> isAvailable, string whileDown) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(isAvailable()
            ? HealthCheckResult.Healthy(isShared() ? "redis" : "in-process")
            : HealthCheckResult.Degraded(whileDown));
}

public static class RedisHealthCheckExtensions
{
    /// <summary>
    /// Adds <paramref name="name"/> to readiness: the state of the <typeparamref name="TPart"/> singleton, with
    /// <paramref name="whileDown"/> as the description during an outage.
    /// </summary>
    public static IHealthChecksBuilder AddRedisCheck<TPart>(this IHealthChecksBuilder checks, string name,
        Func<TPart, bool> isShared, Func<TPart, bool> isAvailable, string whileDown) where TPart : notnull =>
        checks.Add(new HealthCheckRegistration(name, sp =>
        {
            var part = sp.GetRequiredService<TPart>();
            return new RedisHealthCheck(() => isShared(part), () => isAvailable(part), whileDown);
        }, failureStatus: null, tags: ["ready"]));
}
