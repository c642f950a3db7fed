using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Storefront.Api.Jobs;

/// <summary>Unhealthy when the claim loop has stalled; reports the jobs in hand.</summary>
internal sealed class JobWorkerHealthCheck(JobWorker worker, IOptions<JobsOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!options.Value.WorkerEnabled) return Task.FromResult(HealthCheckResult.Healthy("worker disabled in this instance"));
        var stalled = worker.SinceLastBeat > TimeSpan.FromMilliseconds(options.Value.PollIntervalMs) + TimeSpan.FromSeconds(30);
        return Task.FromResult(stalled
            ? HealthCheckResult.Unhealthy($"The job worker has not looked for jobs for {worker.SinceLastBeat.TotalSeconds:0} s.")
            : HealthCheckResult.Healthy($"{worker.RunningCount} running"));
    }
}
