using System.Globalization;
using Storefront.Api.Data;
using Storefront.Api.Jobs;
using YamlDotNet.RepresentationModel;

namespace Storefront.Tests.Deploy;

/// <summary>
/// What can be checked of deploy/ without a container engine or a cluster: the files parse, name only real settings,
/// give shutdown the time it needs, and start the service the way the tests do.
/// </summary>
[ServerFree]
public sealed class DeployManifestTests
{
    // Beyond the drain delay and the jobs' grace: the last requests, the hand-back of jobs and the process's exit.
    private const int ShutdownMarginSeconds = 5;

    [Fact]
    public void Every_yaml_file_under_deploy_parses_and_every_kubernetes_object_has_an_api_version_and_kind()
    {
        var files = DeployFiles.YamlFiles().ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var documents = DeployFiles.Documents(file);
            Assert.True(documents.Count > 0, $"{file} holds no YAML document");
            if (!file.Contains($"{Path.DirectorySeparatorChar}k8s{Path.DirectorySeparatorChar}", StringComparison.Ordinal)) continue;
            foreach (var document in documents)
            {
                Assert.False(string.IsNullOrEmpty(DeployFiles.Scalar(document, "apiVersion")), $"{file}: a document without apiVersion");
                Assert.False(string.IsNullOrEmpty(DeployFiles.Scalar(document, "kind")), $"{file}: a document without kind");
            }
        }
    }

    [Fact]
    public void The_kustomization_lists_every_manifest_in_deploy_k8s()
    {
        var kustomization = DeployFiles.Single("Kustomization");
        var listed = ((YamlSequenceNode)DeployFiles.At(kustomization, "resources")!).Select(n => ((YamlScalarNode)n).Value).Order().ToList();
        var present = Directory.EnumerateFiles(DeployFiles.PathOf("k8s"), "*.yaml").Select(Path.GetFileName)
            .Where(name => name != "kustomization.yaml").Order().ToList();
        Assert.Equal(present, listed);
    }

    [Fact]
    public void Every_environment_variable_the_deploy_files_set_is_a_setting_the_service_reads()
    {
        var settings = DeployFiles.KubernetesSettings()
            .Concat(DeployFiles.EnvironmentFileSettings())
            .Concat(DeployFiles.UnitSettings())
            .Concat(DeployFiles.DockerfileSettings())
            .ToList();
        Assert.Contains(settings, s => s.File == "configmap.yaml");
        Assert.Contains(settings, s => s.File == "secret.yaml");
        Assert.Contains(settings, s => s.File == "storefront.env.example");
        Assert.Contains(settings, s => s.File == "Dockerfile");

        var unknown = settings.Where(s => !SettingNames.IsReal(s.Name)).Select(s => $"{s.Name} ({s.File})").Distinct().ToList();
        Assert.True(unknown.Count == 0, "Not settings of the service: " + string.Join(", ", unknown));
    }

    [Fact]
    public void The_kubernetes_grace_period_covers_the_drain_delay_and_the_jobs_grace()
    {
        var values = DeployFiles.KubernetesSettings().Where(s => s.Value is not null)
            .ToDictionary(s => s.Name, s => s.Value!, StringComparer.OrdinalIgnoreCase);
        var deployment = DeployFiles.Single("Deployment");
        var grace = int.Parse(DeployFiles.Scalar(deployment, "spec", "template", "spec", "terminationGracePeriodSeconds")!, CultureInfo.InvariantCulture);

        Assert.True(grace >= NeededStopSeconds(values), $"terminationGracePeriodSeconds {grace} < {NeededStopSeconds(values)}");
    }

    [Fact]
    public void The_systemd_stop_timeout_covers_the_drain_delay_and_the_jobs_grace()
    {
        var values = DeployFiles.EnvironmentFileSettings().Where(s => s.Value is not null)
            .ToDictionary(s => s.Name, s => s.Value!, StringComparer.OrdinalIgnoreCase);
        var unit = DeployFiles.PathOf("systemd", "storefront.service");
        var timeout = Assert.Single(DeployFiles.UnitValues(unit, "TimeoutStopSec"));
        Assert.Equal("SIGTERM", Assert.Single(DeployFiles.UnitValues(unit, "KillSignal")));

        Assert.True(Seconds(timeout) >= NeededStopSeconds(values), $"TimeoutStopSec {timeout} < {NeededStopSeconds(values)} s");
    }

    [Fact]
    public void The_image_and_the_unit_start_the_service_as_the_tests_do()
    {
        var instructions = DeployFiles.DockerfileInstructions();
        var entryPoint = JsonSerializer.Deserialize<string[]>(Assert.Single(instructions, i => i.Instruction == "ENTRYPOINT").Arguments);
        Assert.Equal(ServiceProcess.Command, entryPoint);
        Assert.Equal($"{typeof(Program).Assembly.GetName().Name}.dll", ServiceProcess.Command[1]);

        var execStart = Assert.Single(DeployFiles.UnitValues(DeployFiles.PathOf("systemd", "storefront.service"), "ExecStart"));
        Assert.Equal(ServiceProcess.Command, execStart.Split(' ').Select(Path.GetFileName));
    }

    [Fact]
    public void The_image_runs_as_a_non_root_user_from_the_runtime_image_with_the_model_checked_in()
    {
        var instructions = DeployFiles.DockerfileInstructions();
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:10.0", instructions.First(i => i.Instruction == "FROM").Arguments, StringComparison.Ordinal);
        Assert.Equal("mcr.microsoft.com/dotnet/aspnet:10.0", instructions.Last(i => i.Instruction == "FROM").Arguments);
        var user = Assert.Single(instructions, i => i.Instruction == "USER").Arguments;
        Assert.True(int.TryParse(user, out var uid) && uid > 0, $"USER {user}: not a numeric non-root user");
        Assert.Equal(uid, int.Parse(DeployFiles.Scalar(DeployFiles.Single("Deployment"), "spec", "template", "spec", "securityContext", "runAsUser")!, CultureInfo.InvariantCulture));
        Assert.Contains(instructions, i => i.Instruction == "RUN" && i.Arguments.Contains("Inference/sentiment.zip", StringComparison.Ordinal));
    }

    [Fact]
    public void The_migrate_job_and_unit_run_the_services_migrate_command()
    {
        var container = DeployFiles.Container(DeployFiles.Single("Job"));
        Assert.Null(DeployFiles.At(container, "command")); // The image's entry point, with the verb as its argument.
        var args = ((YamlSequenceNode)DeployFiles.At(container, "args")!).Select(n => ((YamlScalarNode)n).Value!).ToArray();
        Assert.Equal(["migrate"], args);
        Assert.True(DatabaseCommands.IsCommand(args));

        var execStart = Assert.Single(DeployFiles.UnitValues(DeployFiles.PathOf("systemd", "storefront-migrate.service"), "ExecStart"));
        Assert.Equal([.. ServiceProcess.Command, "migrate"], execStart.Split(' ').Select(Path.GetFileName));
        Assert.Contains("storefront-migrate.service", DeployFiles.UnitValues(DeployFiles.PathOf("systemd", "storefront.service"), "Requires"));
    }

    [Fact]
    public void The_pods_listen_where_the_image_says_and_write_only_to_mounted_volumes()
    {
        var env = DeployFiles.DockerfileSettings().ToDictionary(s => s.Name, s => s.Value);
        var port = new Uri(env["ASPNETCORE_URLS"]!.Replace("+", "localhost", StringComparison.Ordinal)).Port;
        Assert.Contains(DeployFiles.DockerfileInstructions(), i => i.Instruction == "EXPOSE" && i.Arguments == port.ToString(CultureInfo.InvariantCulture));

        var container = DeployFiles.Container(DeployFiles.Single("Deployment"));
        var http = Assert.Single(((YamlSequenceNode)DeployFiles.At(container, "ports")!).OfType<YamlMappingNode>());
        Assert.Equal(port.ToString(CultureInfo.InvariantCulture), DeployFiles.Scalar(http, "containerPort"));
        Assert.Equal("true", DeployFiles.Scalar(container, "securityContext", "readOnlyRootFilesystem"));
        var mounts = ((YamlSequenceNode)DeployFiles.At(container, "volumeMounts")!).Select(m => DeployFiles.Scalar(m, "mountPath")).ToList();
        var storage = DeployFiles.KubernetesSettings().Single(s => s.Name == "Storage__Path").Value;
        Assert.Contains(storage, mounts);
        Assert.Contains("/tmp", mounts);
    }

    [Fact]
    public async Task Operations_md_explains_each_way_to_deploy_and_the_readme_points_at_deploy()
    {
        var root = Repository.Root();
        Assert.Contains("](deploy/README.md)", await File.ReadAllTextAsync(Path.Combine(root, "README.md")), StringComparison.Ordinal);
        var operations = await File.ReadAllTextAsync(Path.Combine(root, "docs", "operations.md"));
        foreach (var heading in new[] { "## Container image", "## systemd", "## Kubernetes" })
            Assert.Contains(heading, operations, StringComparison.Ordinal);
        foreach (var topic in new[] { "terminationGracePeriodSeconds", "/health/ready", "migrate", "/metrics", "secretGenerator" })
            Assert.Contains(topic, operations, StringComparison.Ordinal);
    }

    private static int NeededStopSeconds(Dictionary<string, string> values)
    {
        // Shutdown__DrainDelaySeconds must be set explicitly: its default is the graceful-shutdown code's, not the deploy file's.
        Assert.True(values.TryGetValue("Shutdown__DrainDelaySeconds", out var drain), "Shutdown__DrainDelaySeconds is not set");
        var jobsGrace = values.TryGetValue("Jobs__ShutdownGraceSeconds", out var set) ? int.Parse(set, CultureInfo.InvariantCulture) : new JobsOptions().ShutdownGraceSeconds;
        return int.Parse(drain, CultureInfo.InvariantCulture) + jobsGrace + ShutdownMarginSeconds;
    }

    // systemd time spans as written here: "45", "45s", "2min", "1min 30s".
    private static int Seconds(string span) => span.Split(' ', StringSplitOptions.RemoveEmptyEntries).Sum(part =>
        part.EndsWith("min", StringComparison.Ordinal) ? 60 * int.Parse(part[..^3], CultureInfo.InvariantCulture)
        : int.Parse(part.TrimEnd('s'), CultureInfo.InvariantCulture));
}
