using Microsoft.Extensions.DependencyInjection.Extensions;
using Storefront.Api.Data;
using Storefront.Api.Diagnostics;
using Storefront.Api.Http;
using Storefront.Api.RateLimits;

namespace Storefront.Api.Jobs;

public static class JobsExtensions
{
    public static WebApplicationBuilder AddJobs(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<JobsOptions>(JobsOptions.Section);
        services.TryAddSingleton(TimeProvider.System); // Also registered by caching; jobs must not depend on that.
        services.AddSingleton<JobSignal>();
        services.AddRateLimits();
        services.AddRateLimiter(limiter => limiter.AddPolicy(JobEndpoints.LogPolicy,
            context => SharedLimits.PerClient(context, JobEndpoints.LogPolicy, o => o.LogPermits)));
        services.AddSingleton<IJobQueue, JobQueue>();
        services.AddJsonTypes(JobsJsonContext.Default);
        services.AddSingleton<JobStore>();
        services.AddSingleton<IJobHandler, LogJobHandler>();
        services.AddSingleton<JobMetrics>();
        services.AddSingleton<JobWorker>();
        // After the drain, running jobs get this long to finish: part of the host's stop timeout (see ShutdownExtensions).
        services.AddSingleton(sp => new StopGrace("jobs",
            TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<JobsOptions>>().Value.ShutdownGraceSeconds)));
        services.AddHostedService(sp => sp.GetRequiredService<JobWorker>());
        services.AddHealthChecks().AddCheck<JobWorkerHealthCheck>("jobs", tags: ["ready"]);
        return builder;
    }
}
