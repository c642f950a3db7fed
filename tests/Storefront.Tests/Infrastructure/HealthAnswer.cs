namespace Storefront.Tests.Infrastructure;

/// <summary>GET /health/ready as the service writes it (by hand, so it has no record of its own to read it as).</summary>
public sealed record HealthAnswer(string Status, double DurationMs, IReadOnlyDictionary<string, HealthCheckAnswer> Checks);

public sealed record HealthCheckAnswer(string Status, double DurationMs, string? Description);
