using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Storefront.Tests.Deploy;

/// <summary>A setting a deploy file sets: its name, its value (null when it comes from elsewhere) and where it was found.</summary>
internal sealed record Setting(string Name, string? Value, string File);

/// <summary>Reads the files under deploy/: the Kubernetes manifests, the systemd units and their environment file, the Dockerfile.</summary>
internal static partial class DeployFiles
{
    public static string Folder { get; } = Path.Combine(Repository.Root(), "deploy");

    public static string PathOf(params string[] parts) => Path.Combine([Folder, .. parts]);

    public static IEnumerable<string> YamlFiles() =>
        Directory.EnumerateFiles(Folder, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    /// <summary>Every document of a YAML file (a file may hold several, separated by <c>---</c>).</summary>
    public static IReadOnlyList<YamlNode> Documents(string file)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(file);
        stream.Load(reader);
        return stream.Documents.Select(d => d.RootNode).ToList();
    }

    /// <summary>The Kubernetes objects in deploy/k8s, by kind.</summary>
    public static IReadOnlyList<(string File, string Kind, YamlMappingNode Root)> KubernetesObjects() =>
        Directory.EnumerateFiles(PathOf("k8s"), "*.yaml")
            .SelectMany(file => Documents(file).OfType<YamlMappingNode>().Select(root => (file, Scalar(root, "kind") ?? "", root)))
            .ToList();

    public static YamlMappingNode Single(string kind) =>
        Assert.Single(KubernetesObjects(), o => o.Kind == kind).Root;

    public static YamlNode? At(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode mapping || !mapping.Children.TryGetValue(new YamlScalarNode(key), out var next)) return null;
            node = next;
        }
        return node;
    }

    public static string? Scalar(YamlNode node, params string[] path) => (At(node, path) as YamlScalarNode)?.Value;

    /// <summary>The pod template's (only) container of a Deployment or Job.</summary>
    public static YamlMappingNode Container(YamlMappingNode workload) =>
        Assert.IsType<YamlMappingNode>(Assert.Single((YamlSequenceNode)At(workload, "spec", "template", "spec", "containers")!));

    /// <summary>ConfigMap and Secret keys (loaded with envFrom) and every container's <c>env</c> entry.</summary>
    public static IEnumerable<Setting> KubernetesSettings()
    {
        foreach (var (file, kind, root) in KubernetesObjects())
        {
            var name = Path.GetFileName(file);
            if (kind is "ConfigMap" or "Secret")
            {
                foreach (var section in new[] { "data", "stringData" })
                {
                    if (At(root, section) is YamlMappingNode data)
                        foreach (var (key, value) in data.Children) yield return new(((YamlScalarNode)key).Value!, (value as YamlScalarNode)?.Value, name);
                }
            }
            foreach (var env in Descendants(root).Select(m => At(m, "env")).OfType<YamlSequenceNode>())
            {
                foreach (var entry in env.OfType<YamlMappingNode>())
                    yield return new(Scalar(entry, "name")!, Scalar(entry, "value"), name);
            }
        }
    }

    /// <summary>The example environment file's assignments, the commented-out ones too (a reader will uncomment them).</summary>
    public static IEnumerable<Setting> EnvironmentFileSettings()
    {
        const string file = "storefront.env.example";
        foreach (var line in File.ReadLines(PathOf("systemd", file)))
        {
            if (EnvironmentLine().Match(line) is { Success: true } match)
                yield return new(match.Groups["name"].Value, match.Groups["commented"].Success ? null : match.Groups["value"].Value, file);
        }
    }

    /// <summary>The units' <c>Environment=</c> assignments.</summary>
    public static IEnumerable<Setting> UnitSettings() =>
        Directory.EnumerateFiles(PathOf("systemd"), "*.service").SelectMany(file =>
            UnitValues(file, "Environment").SelectMany(value => Assignments(value).Select(a => a with { File = Path.GetFileName(file) })));

    /// <summary>The values of a key in a systemd unit file (comments skipped).</summary>
    public static IEnumerable<string> UnitValues(string file, string key) =>
        File.ReadLines(file)
            .Where(line => line.StartsWith(key + "=", StringComparison.Ordinal))
            .Select(line => line[(key.Length + 1)..].Trim());

    /// <summary>The Dockerfile's instructions, continuation lines joined, comments dropped.</summary>
    public static IReadOnlyList<(string Instruction, string Arguments)> DockerfileInstructions()
    {
        var text = File.ReadAllText(PathOf("docker", "Dockerfile"));
        var lines = text.Split('\n').Where(l => !l.TrimStart().StartsWith('#'));
        var joined = string.Join('\n', lines).Replace("\\\n", " ", StringComparison.Ordinal);
        return joined.Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.Length > 0)
            .Select(l => l.Split(' ', 2) is [var instruction, var rest] ? (instruction.ToUpperInvariant(), rest.Trim()) : (l.ToUpperInvariant(), ""))
            .ToList();
    }

    public static IEnumerable<Setting> DockerfileSettings() =>
        DockerfileInstructions().Where(i => i.Instruction == "ENV").SelectMany(i => Assignments(i.Arguments))
            .Select(s => s with { File = "Dockerfile" });

    private static IEnumerable<Setting> Assignments(string text) =>
        Assignment().Matches(text).Select(m => new Setting(m.Groups["name"].Value, m.Groups["value"].Value.Trim('"'), ""));

    private static IEnumerable<YamlMappingNode> Descendants(YamlNode node) => node switch
    {
        YamlMappingNode mapping => mapping.Children.Values.SelectMany(Descendants).Prepend(mapping),
        YamlSequenceNode sequence => sequence.Children.SelectMany(Descendants),
        _ => [],
    };

    [GeneratedRegex(@"^(?<commented>#)?(?<name>[A-Za-z_][A-Za-z0-9_]*)=(?<value>.*)$")]
    private static partial Regex EnvironmentLine();

    [GeneratedRegex(@"(?:^|\s)""?(?<name>[A-Za-z_][A-Za-z0-9_]*)=(?<value>""[^""]*""|\S*)")]
    private static partial Regex Assignment();
}
