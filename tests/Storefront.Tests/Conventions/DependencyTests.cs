using System.Text.RegularExpressions;
using Storefront.Tests.Infrastructure.Servers;

namespace Storefront.Tests.Conventions;

/// <summary>
/// Dependencies between the service's folders point one way: features use the shared parts (Http, Data,
/// Diagnostics), shared parts use no feature, and the features' own uses of each other are exactly the arrows of
/// the diagram in docs/architecture.md, which has no cycle. A new edge fails here until the diagram shows it.
/// </summary>
[ServerFree]
public sealed partial class DependencyTests
{
    /// <summary>Each shared part and what it may use.</summary>
    private static readonly Dictionary<string, string[]> Shared = new(StringComparer.Ordinal)
    {
        ["Http"] = [],
        ["Data"] = ["Http"],
        ["Diagnostics"] = ["Http", "Data"],
    };

    private static readonly string Root = FindRepositoryRoot();

    [Fact]
    public void Shared_parts_use_no_feature()
    {
        var edges = Edges();
        foreach (var (part, allowed) in Shared)
        {
            var wrong = edges.Where(e => e.From == part && !allowed.Contains(e.To)).Select(e => $"{e.From} -> {e.To} ({e.File})").ToList();
            Assert.True(wrong.Count == 0, $"{part}/ may use only [{string.Join(", ", allowed)}], but: {string.Join("; ", wrong)}");
        }
    }

    [Fact]
    public void Features_use_each_other_exactly_as_the_architecture_diagram_shows()
    {
        var actual = Edges().Where(e => !Shared.ContainsKey(e.From) && !Shared.ContainsKey(e.To))
            .Select(e => (e.From, e.To)).ToHashSet();
        var documented = DocumentedEdges();
        var undocumented = actual.Except(documented).Select(e => $"{e.From} --> {e.To}").ToList();
        var stale = documented.Except(actual).Select(e => $"{e.From} --> {e.To}").ToList();
        Assert.True(undocumented.Count == 0,
            $"Not in docs/architecture.md's dependency diagram: {string.Join(", ", undocumented)}. A feature that needs another goes " +
            "through a small interface owned by the used feature; if the edge is intended (and makes no cycle), add it to the diagram.");
        Assert.True(stale.Count == 0, $"In the diagram but not in the code any more: {string.Join(", ", stale)}");
    }

    [Fact]
    public void The_feature_diagram_has_no_cycle()
    {
        var graph = DocumentedEdges().GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).ToList());
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 on the path, 2 done
        foreach (var node in graph.Keys) Visit(node, []);

        void Visit(string node, List<string> path)
        {
            if (state.GetValueOrDefault(node) == 2) return;
            Assert.False(state.GetValueOrDefault(node) == 1, $"Cycle: {string.Join(" -> ", path.Append(node))}");
            state[node] = 1;
            foreach (var next in graph.GetValueOrDefault(node, [])) Visit(next, [.. path, node]);
            state[node] = 2;
        }
    }

    [Fact]
    public void The_rule_reads_real_edges()
    {
        // Guards the reader itself: these uses exist, so a reader that finds nothing would pass everything.
        var edges = Edges().Select(e => (e.From, e.To)).ToHashSet();
        Assert.Contains(("Catalog", "Data"), edges);
        Assert.Contains(("Products", "Upstreams"), edges);
        Assert.Contains(("Catalog", "Http"), edges);
    }

    /// <summary>Folder-to-folder uses in src/Storefront.Api: <c>using Storefront.Api.X</c> and qualified <c>Storefront.Api.X.</c> names.</summary>
    private static List<(string From, string To, string File)> Edges()
    {
        var source = Path.Combine(Root, "src", "Storefront.Api");
        var edges = new List<(string, string, string)>();
        foreach (var file in Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (relative.StartsWith("bin", StringComparison.Ordinal) || relative.StartsWith("obj", StringComparison.Ordinal)) continue;
            var parts = relative.Split(Path.DirectorySeparatorChar);
            if (parts.Length < 2) continue; // Program.cs composes everything.
            var from = parts[0];
            foreach (Match match in Reference().Matches(File.ReadAllText(file)))
            {
                var to = match.Groups["part"].Value;
                if (to != from) edges.Add((from, to, relative));
            }
        }
        return edges;
    }

    private static HashSet<(string From, string To)> DocumentedEdges()
    {
        var doc = File.ReadAllText(Path.Combine(Root, "docs", "architecture.md"));
        var start = doc.IndexOf("```mermaid", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/architecture.md has a mermaid dependency diagram");
        var end = doc.IndexOf("```", start + 10, StringComparison.Ordinal);
        return [.. DiagramEdge().Matches(doc[start..end]).Select(m => (m.Groups["from"].Value, m.Groups["to"].Value))
            .Where(e => !Shared.ContainsKey(e.Item1) && !Shared.ContainsKey(e.Item2))];
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Storefront.slnx"))) return dir.FullName;
        throw new InvalidOperationException("The tests run from inside the repository (Storefront.slnx not found above them).");
    }

    // "namespace Storefront.Api.X;" declares, it does not use: only the using directive or a qualified name counts.
    [GeneratedRegex(@"(?<!namespace )\bStorefront\.Api\.(?<part>[A-Z][A-Za-z]*)\b")]
    private static partial Regex Reference();

    [GeneratedRegex(@"^\s*(?<from>[A-Z][A-Za-z]*)\s*-->\s*(?<to>[A-Z][A-Za-z]*)\s*$", RegexOptions.Multiline)]
    private static partial Regex DiagramEdge();
}
