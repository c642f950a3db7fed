using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Storefront.Api.Diagnostics;

namespace Storefront.Tests.Diagnostics;

[ServerFree]
public sealed class ShutdownDrainTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task Draining_starts_at_once_and_the_stop_goes_on_only_after_the_delay()
    {
        using var drain = Drain(delaySeconds: 3);
        Assert.False(drain.IsDraining);

        var stopping = drain.StoppingAsync(CancellationToken.None);
        Assert.True(drain.IsDraining);
        _time.Advance(TimeSpan.FromSeconds(2.9));
        Assert.False(stopping.IsCompleted);
        Assert.False(drain.Stopping.IsCancellationRequested);

        _time.Advance(TimeSpan.FromSeconds(0.1));
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(drain.Stopping.IsCancellationRequested);
    }

    [Fact]
    public async Task No_delay_stops_at_once_as_before()
    {
        using var drain = Drain(delaySeconds: 0);
        await drain.StoppingAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(drain.IsDraining);
        Assert.True(drain.Stopping.IsCancellationRequested);
    }

    [Fact]
    public async Task The_host_deadline_cuts_the_drain_short()
    {
        using var drain = Drain(delaySeconds: 60);
        using var deadline = new CancellationTokenSource();
        var stopping = drain.StoppingAsync(deadline.Token);
        await deadline.CancelAsync();
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(drain.Stopping.IsCancellationRequested);
    }

    [Fact]
    public async Task The_host_stop_timeout_covers_the_drain_and_the_jobs_grace()
    {
        await using var factory = new SqliteStorefrontFactory().With("Shutdown:DrainDelaySeconds", "10").With("Jobs:ShutdownGraceSeconds", "20");
        Assert.Equal(TimeSpan.FromSeconds(30), factory.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
    }

    private ShutdownDrain Drain(int delaySeconds) =>
        new(Options.Create(new ShutdownOptions { DrainDelaySeconds = delaySeconds }), _time, NullLogger<ShutdownDrain>.Instance);
}
