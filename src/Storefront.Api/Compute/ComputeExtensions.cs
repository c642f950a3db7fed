using Storefront.Api.Diagnostics;

namespace Storefront.Api.Compute;

public static class ComputeExtensions
{
    /// <summary>
    /// Adds a feature's runner to /metrics (<c>storefront.cpu.*</c>, tagged <c>runner</c> = its name). Its owner is then
    /// created with the meter provider, when the host starts: the workers are running before the first request.
    /// </summary>
    public static IServiceCollection AddCpuRunnerMetrics<TOwner>(this IServiceCollection services, Func<TOwner, ICpuWorkRunner> runner)
        where TOwner : class
    {
        services.AddSingleton<ICpuWorkRunner>(sp => runner(sp.GetRequiredService<TOwner>()));
        if (!services.Any(d => d.ServiceType == typeof(CpuRunnerMetrics))) services.AddObservableMetrics<CpuRunnerMetrics>();
        return services;
    }
}
