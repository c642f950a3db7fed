using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Storefront.Api.Diagnostics;
using Storefront.Tests.Infrastructure;

namespace Storefront.Tests.Diagnostics;

public sealed class BlockingDetectorTests
{
    [Fact]
    public async Task Blocking_request_threads_triggers_a_warning_naming_the_route()
    {
        var logs = new CapturingLoggerProvider();
        await using var factory = new SqliteStorefrontFactory();
        factory.With(DiagnosticsExtensions.BlockingProbeSetting, "true")
            .With("Diagnostics:Blocking:ProbeIntervalMs", "50")
            .With("Diagnostics:Blocking:WarnAboveMs", "100")
            .With("Logging:LogLevel:Storefront.Api.Diagnostics", "Warning")
            .WithServices(services => services.AddSingleton<ILoggerProvider>(logs));
        using var client = factory.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(60);
        await (await client.GetAsync("/")).ShouldBeJsonAsync();

        // More sleeping requests than the pool has threads (other tests may have grown it): the probes wait behind them.
        var blockers = Enumerable.Range(0, ThreadPool.ThreadCount + Environment.ProcessorCount * 4)
            .Select(_ => client.GetAsync("/_diagnostics/block?ms=2000")).ToArray();
        await Task.WhenAll(blockers);

        var warning = logs.Entries.FirstOrDefault(e => e.Level == LogLevel.Warning && e.Category.EndsWith(nameof(BlockingDetector), StringComparison.Ordinal));
        Assert.True(warning.Message is not null, "no blocking warning was logged");
        Assert.Contains("GET /_diagnostics/block", warning.Message, StringComparison.Ordinal);
        Assert.True(factory.Services.GetRequiredService<BlockingDetector>().MaxLag > TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task A_healthy_service_reports_small_lag_and_no_warning()
    {
        var logs = new CapturingLoggerProvider();
        await using var factory = new SqliteStorefrontFactory();
        factory.With("Diagnostics:Blocking:ProbeIntervalMs", "50")
            .WithServices(services => services.AddSingleton<ILoggerProvider>(logs));
        using var client = factory.CreateClient();
        var started = Stopwatch.GetTimestamp();
        // Async waits only: plenty of concurrency, no thread held.
        await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => client.GetAsync("/slow?seconds=0.5")));
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(logs.Entries, e => e.Category.EndsWith(nameof(BlockingDetector), StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_blocking_probe_endpoint_does_not_exist_unless_enabled()
    {
        await using var factory = new SqliteStorefrontFactory();
        using var client = factory.CreateClient();
        await (await client.GetAsync("/_diagnostics/block?ms=1")).ShouldBeProblemAsync(System.Net.HttpStatusCode.NotFound);
    }
}
