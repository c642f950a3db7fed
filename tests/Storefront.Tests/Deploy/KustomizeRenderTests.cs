using YamlDotNet.RepresentationModel;

namespace Storefront.Tests.Deploy;

/// <summary>
/// Both kustomizations render with kustomize (kubectl's built-in), and the replicated one is the same service on a
/// CloudNativePG cluster and Redis behind Sentinel, its connection strings naming them.
/// </summary>
[ServerFree]
public sealed class KustomizeRenderTests
{
    [Fact]
    public async Task The_single_server_and_the_replicated_kustomizations_render()
    {
        var single = await RenderAsync("k8s");
        var replicated = await RenderAsync("k8s-replicated");

        // Everything of the single-server form is in the replicated one, with the same names.
        foreach (var (kind, name) in single.Select(Identity))
            Assert.Contains((kind, name), replicated.Select(Identity));

        var database = Assert.Single(replicated, o => Kind(o) == "Cluster");
        Assert.Equal("postgresql.cnpg.io/v1", DeployFiles.Scalar(database, "apiVersion"));
        Assert.Equal("2", DeployFiles.Scalar(database, "spec", "instances"));
        Assert.Equal("1", DeployFiles.Scalar(database, "spec", "postgresql", "synchronous", "number"));
        var redis = Assert.Single(replicated, o => Kind(o) == "StatefulSet" && Name(o) == "redis");
        Assert.Equal("3", DeployFiles.Scalar(redis, "spec", "replicas"));

        var secret = Assert.Single(replicated, o => Kind(o) == "Secret" && Name(o) == "storefront-secrets");
        var postgres = DeployFiles.Scalar(secret, "stringData", "ConnectionStrings__Postgres")!;
        Assert.Contains($"Host={Name(database)}-rw:5432,{Name(database)}-ro:5432;", postgres, StringComparison.Ordinal);
        var sentinels = DeployFiles.Scalar(secret, "stringData", "ConnectionStrings__Redis")!;
        Assert.StartsWith("redis-sentinel:26379,serviceName=storefront", sentinels, StringComparison.Ordinal);
        Assert.Contains(replicated, o => Kind(o) == "Service" && Name(o) == "redis-sentinel");
        // The other secrets are the base's, untouched by the patch.
        Assert.Equal(DeployFiles.Scalar(Assert.Single(single, o => Kind(o) == "Secret"), "stringData", "Jwt__SigningKey"),
            DeployFiles.Scalar(secret, "stringData", "Jwt__SigningKey"));
    }

    private static async Task<List<YamlMappingNode>> RenderAsync(string folder)
    {
        var kubectl = TestServers.OnPath("kubectl")
            ?? throw new InvalidOperationException("kubectl is not installed (it renders deploy/'s kustomizations: kubectl kustomize).");
        var (exitCode, output, errors) = await Tool.RunAsync(kubectl, ["kustomize", DeployFiles.PathOf(folder)], Repository.Root(), TimeSpan.FromMinutes(1));
        Assert.True(exitCode == 0, $"kubectl kustomize deploy/{folder} failed: {errors}");
        var stream = new YamlStream();
        stream.Load(new StringReader(output));
        return stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>().ToList();
    }

    private static string? Kind(YamlMappingNode o) => DeployFiles.Scalar(o, "kind");

    private static string? Name(YamlMappingNode o) => DeployFiles.Scalar(o, "metadata", "name");

    private static (string?, string?) Identity(YamlMappingNode o) => (Kind(o), Name(o));
}
