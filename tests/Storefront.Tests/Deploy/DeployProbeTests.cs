using YamlDotNet.RepresentationModel;

namespace Storefront.Tests.Deploy;

/// <summary>The Deployment's probes ask the service's health routes, each the right one.</summary>
[ServerFree]
public sealed class DeployProbeTests(SqliteStorefrontFactory factory) : IClassFixture<SqliteStorefrontFactory>
{
    [Fact]
    public async Task Readiness_checks_the_dependencies_while_liveness_and_startup_only_ask_the_process()
    {
        var container = DeployFiles.Container(DeployFiles.Single("Deployment"));
        var client = factory.CreateClient();

        var ready = await ChecksAsync(client, Probe(container, "readinessProbe"));
        Assert.Contains("database", ready); // Out of rotation while the database pool does not answer.
        // A liveness probe that asked the database would restart every pod during a database outage.
        Assert.Empty(await ChecksAsync(client, Probe(container, "livenessProbe")));
        Assert.Empty(await ChecksAsync(client, Probe(container, "startupProbe")));
    }

    private static string Probe(YamlMappingNode container, string probe)
    {
        Assert.Equal("http", DeployFiles.Scalar(container, probe, "httpGet", "port"));
        return DeployFiles.Scalar(container, probe, "httpGet", "path") ?? throw new InvalidOperationException($"{probe} has no httpGet path");
    }

    /// <summary>The names of the checks the health route at this path runs (it must answer 200, as a probe needs).</summary>
    private static async Task<List<string>> ChecksAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var health = JsonSerializer.Deserialize<HealthAnswer>(await response.Content.ReadAsStringAsync(), HttpAssertions.Answers)!;
        return [.. health.Checks.Keys];
    }
}
