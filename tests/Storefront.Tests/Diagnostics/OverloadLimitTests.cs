namespace Storefront.Tests.Diagnostics;

/// <summary>
/// The adaptive limit end to end, in a process of its own: the pool is starved on purpose (the blocking probe
/// endpoint), which is what a CPU that cannot keep up looks like to the limit, and starving the test process's pool
/// would slow every other test.
/// </summary>
public sealed class OverloadLimitTests
{
    [Fact]
    public async Task A_standing_queue_sheds_new_requests_with_503_keeps_health_and_metrics_and_recovers()
    {
        var storage = Path.Combine(Path.GetTempPath(), "storefront-tests", Guid.NewGuid().ToString("N"));
        await using var service = await ServiceProcess.StartAsync(new Dictionary<string, string>
        {
            ["Storage__Path"] = storage,
            ["Diagnostics__BlockingProbeEnabled"] = "true",
            ["Overload__TargetDelayMs"] = "25",
            ["Overload__IntervalMs"] = "200",
        });
        using var client = service.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(60);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/items/1")).StatusCode);

        // Far more sleeping requests than the pool has threads: the ones that get a thread hold it, the rest queue behind
        // them, and the queueing delay stays over the target for longer than the interval: a standing queue.
        var blockers = Enumerable.Range(0, Math.Max(64, 16 * Environment.ProcessorCount))
            .Select(_ => client.GetAsync("/_diagnostics/block?ms=4000")).ToArray();
        // Exempt: an orchestrator must not read an overloaded instance as a dead one.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);

        // Those that came in before the queue stood were admitted and finish; those that reached a thread after it had
        // stood long enough are refused at once, before any of their work.
        var answers = await Task.WhenAll(blockers);
        Assert.All(answers, answer => Assert.True(answer.StatusCode is HttpStatusCode.OK or HttpStatusCode.NoContent
            or HttpStatusCode.ServiceUnavailable, $"{answer.StatusCode}"));
        Assert.Contains(answers, answer => answer.IsSuccessStatusCode);
        var refused = Assert.Single(answers.Where(answer => answer.StatusCode == HttpStatusCode.ServiceUnavailable).Take(1));
        await refused.ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.True(int.TryParse(refused.Headers.RetryAfter?.ToString(), out var seconds) && seconds >= 1,
            "a refusal says when to come back");

        var metrics = PrometheusText.Parse(await client.GetStringAsync("/metrics"));
        Assert.True(metrics.Sum("storefront_overload_shed_total", "storefront_overload_shed_total")
            >= answers.Count(answer => answer.StatusCode == HttpStatusCode.ServiceUnavailable), "every refusal is counted");
        await Eventually.ValueAsync(() => client.GetAsync("/items/1"), response => response.StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "once the queue is gone the limit is lifted");
        try { Directory.Delete(storage, recursive: true); } catch (IOException) { } // Best effort: a temp folder.
    }
}
