using System.Text.RegularExpressions;

namespace Storefront.Tests.Conventions;

/// <summary>
/// Dependencies between the service's folders point one way: features use the shared parts (Http, Data,
/// Diagnostics), shared parts use no feature, and the features' own uses of each other are exactly the arrows of
/// the diagram in docs/architecture.md, which has no cycle. A new edge fails here until the diagram shows it. Two
/// couplings no <c>using</c> shows are checked too: a metric name spelled as a string outside the folder that records
/// it, and SQL or EF Core writes to a table another folder owns.
/// </summary>
[ServerFree]
public sealed partial class DependencyTests
{
    /// <summary>Each shared part and what it may use.</summary>
    private static readonly Dictionary<string, string[]> Shared = new(StringComparer.Ordinal)
    {
        ["Http"] = [],
        ["Data"] = ["Http"],
        ["RateLimits"] = ["Http", "Data"],
        ["Diagnostics"] = ["Http", "Data"],
    };

    /// <summary>Each table's one owner: the only folder whose SQL or EF Core calls may write it (others read it, or go through the owner).</summary>
    private static readonly Dictionary<string, string> TableOwners = new(StringComparer.Ordinal)
    {
        ["items"] = "Catalog",
        ["users"] = "Accounts",
        ["revoked_tokens"] = "Accounts",
        ["password_resets"] = "Accounts",
        ["user_roles"] = "Accounts",
        ["jobs"] = "Jobs",
        ["job_effects"] = "Jobs",
        ["item_stock"] = "Inventory",
        ["inventory_events"] = "Inventory",
        ["files"] = "Files",
        ["orders"] = "Orders",
        ["order_lines"] = "Orders",
        ["idempotency_keys"] = "Orders",
    };

    private static readonly string Root = FindRepositoryRoot();
    private static readonly string Source = Path.Combine(Root, "src", "Storefront.Api");

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

    [Fact]
    public void A_metric_name_is_spelled_only_in_the_folder_that_records_it()
    {
        var owners = MetricOwners();
        var wrong = (from file in SourceFiles()
                     from Match literal in StringLiteral().Matches(file.Text)
                     let name = RecordedName(literal.Groups["text"].Value, owners)
                     where name is not null && owners[name] != file.Folder
                     select $"{file.Path} spells \"{literal.Groups["text"].Value}\", which {owners[name]}/ records").Distinct().ToList();
        Assert.True(wrong.Count == 0,
            $"Read another feature's metric through its constant (XxxMetrics.Names), so the dependency is a using this test sees: {string.Join("; ", wrong)}");
    }

    /// <summary>The recorded name a string spells: as recorded, or as /metrics exports it (storefront_jobs_finished_total).</summary>
    private static string? RecordedName(string text, Dictionary<string, string> owners) =>
        owners.ContainsKey(text) ? text
            : owners.Keys.OrderByDescending(name => name.Length).FirstOrDefault(name => text.StartsWith(name.Replace('.', '_'), StringComparison.Ordinal)
                && (text.Length == name.Length || text[name.Length] == '_'));

    [Fact]
    public void The_metric_rule_reads_real_owners()
    {
        var owners = MetricOwners();
        Assert.Equal("storefront.jobs.finished", RecordedName("storefront_jobs_finished_total", owners));
        Assert.Null(RecordedName("storefront_jobs_finishedx", owners));
        Assert.Equal("Jobs", owners.GetValueOrDefault("storefront.jobs.waiting")); // a constant of JobMetrics.Names
        Assert.Equal("Caching", owners.GetValueOrDefault("storefront.cache.lookups"));
        Assert.Equal("Files", owners.GetValueOrDefault("storefront.uploads")); // a literal where the instrument is made
        Assert.Equal("Upstreams", owners.GetValueOrDefault("storefront.upstream.circuit.state"));
    }

    [Fact]
    public void Every_table_the_migrations_create_has_one_owner()
    {
        var created = Directory.EnumerateFiles(Path.Combine(Source, "Data", "Migrations"), "*.sql", SearchOption.AllDirectories)
            .SelectMany(f => CreateTable().Matches(File.ReadAllText(f)).Select(m => m.Groups["table"].Value.ToLowerInvariant()))
            .ToHashSet(StringComparer.Ordinal);
        Assert.True(created.Count > 5, "the migrations are read");
        Assert.Empty(created.Except(TableOwners.Keys));
        Assert.Empty(TableOwners.Keys.Except(created));
    }

    [Fact]
    public void A_folder_writes_only_the_tables_it_owns()
    {
        var sets = DbSetOwners();
        var wrong = new List<string>();
        foreach (var file in SourceFiles())
        {
            foreach (Match write in SqlWrite().Matches(file.Text))
            {
                var table = write.Groups["table"].Value;
                if (TableOwners.TryGetValue(table, out var owner) && owner != file.Folder)
                    wrong.Add($"{file.Path}: {write.Value.Trim()} (owned by {owner}/)");
            }
            foreach (var write in EfWrites(file.Text))
            {
                var set = write.Groups["set"].Success ? write.Groups["set"].Value : write.Groups["entity"].Value;
                if (sets.TryGetValue(set, out var owner) && owner != file.Folder)
                    wrong.Add($"{file.Path}: {set}.{write.Groups["op"].Value} (owned by {owner}/)");
            }
        }
        Assert.True(wrong.Count == 0,
            $"A folder writes another's table; go through a small interface of the owner instead: {string.Join("; ", wrong)}");
    }

    [Fact]
    public void The_table_rule_reads_real_writes()
    {
        // Guards the readers: a pattern that matched nothing would pass everything.
        var sql = SourceFiles().SelectMany(f => SqlWrite().Matches(f.Text).Select(m => (f.Folder, Table: m.Groups["table"].Value))).ToHashSet();
        Assert.Contains(("Inventory", "item_stock"), sql);
        Assert.Contains(("Orders", "order_lines"), sql);
        var ef = SourceFiles().SelectMany(f => EfWrites(f.Text)
            .Select(m => (f.Folder, Set: m.Groups["set"].Success ? m.Groups["set"].Value : m.Groups["entity"].Value))).ToHashSet();
        Assert.Contains(("Catalog", "Items"), ef);
        Assert.Contains(("Orders", "OrderLine"), ef);
        Assert.Equal("Accounts", DbSetOwners().GetValueOrDefault("Users"));
    }

    [Fact]
    public void The_table_rule_reads_other_spellings_of_a_write()
    {
        // Each was once a way past the rule: a qualified entity, a context not called db, a quoted table in a string.
        const string Text = """
            public static void Write(StorefrontDbContext context, Subscriber subscriber)
            {
                context.Set<Storefront.Api.Jobs.JobEffect>().Where(e => e.Kind == "x").ExecuteDelete();
                subscriber.Items.Add(item);
                var sql = "UPDATE \"jobs\" SET status = 'dead'";
            }
            """;
        Assert.Equal(["JobEffect"], EfWrites(Text).Select(m => m.Groups["entity"].Value));
        Assert.Equal(["jobs"], SqlWrite().Matches(Text).Select(m => m.Groups["table"].Value));
    }

    /// <summary>
    /// EF Core writes whose receiver is the context: <c>db</c>, or any name this file declares as a
    /// <c>StorefrontDbContext</c> (a parameter, field or local) or takes from <c>GetRequiredService&lt;StorefrontDbContext&gt;()</c>.
    /// Other receivers (a subscriber's Items) are not tables.
    /// </summary>
    private static IEnumerable<Match> EfWrites(string text)
    {
        var contexts = ContextName().Matches(text).Select(m => m.Groups["name"].Value).Append("db").ToHashSet(StringComparer.Ordinal);
        return EfWrite().Matches(text).Where(m => contexts.Contains(m.Groups["receiver"].Value));
    }

    /// <summary>Metric name to the folder that records it: named where the instrument is made, or as a constant (<c>Names</c>).</summary>
    private static Dictionary<string, string> MetricOwners()
    {
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in SourceFiles())
        {
            foreach (var match in InstrumentName().Matches(file.Text).Concat(MetricNameConstant().Matches(file.Text)))
            {
                var name = match.Groups["name"].Value;
                if (!owners.TryAdd(name, file.Folder))
                    Assert.True(owners[name] == file.Folder, $"{name} is recorded or named by both {owners[name]}/ and {file.Folder}/");
            }
        }
        return owners;
    }

    /// <summary>EF Core table names (the <c>db.Items</c> extension properties) and their entities, to the folder declaring them.</summary>
    private static Dictionary<string, string> DbSetOwners()
    {
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in SourceFiles())
            foreach (Match set in DbSetDeclaration().Matches(file.Text))
            {
                owners[set.Groups["name"].Value] = file.Folder;
                owners[set.Groups["entity"].Value] = file.Folder;
            }
        // Entities mapped without a DbSet property (read as db.Set<T>()): owned where they are mapped to a table.
        foreach (var file in SourceFiles())
            foreach (Match mapped in EntityMapping().Matches(file.Text))
                owners.TryAdd(mapped.Groups["entity"].Value, file.Folder);
        return owners;
    }

    private static IEnumerable<(string Folder, string Path, string Text)> SourceFiles()
    {
        foreach (var file in Directory.EnumerateFiles(Source, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Source, file);
            if (relative.StartsWith("bin", StringComparison.Ordinal) || relative.StartsWith("obj", StringComparison.Ordinal)) continue;
            var parts = relative.Split(Path.DirectorySeparatorChar);
            if (parts.Length < 2) continue; // Program.cs composes everything.
            yield return (parts[0], relative, File.ReadAllText(file));
        }
    }

    /// <summary>Folder-to-folder uses in src/Storefront.Api: <c>using Storefront.Api.X</c> and qualified <c>Storefront.Api.X.</c> names.</summary>
    private static List<(string From, string To, string File)> Edges()
    {
        var edges = new List<(string, string, string)>();
        foreach (var (from, relative, text) in SourceFiles())
        {
            foreach (Match match in Reference().Matches(text))
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

    // meter.CreateCounter<long>("storefront.x.y", ...), CreateObservableGauge("...", ...) and the rest of the family.
    [GeneratedRegex(@"\bCreate(?:Observable)?(?:Counter|UpDownCounter|Histogram|Gauge)(?:<[^>]+>)?\(\s*""(?<name>[^""]+)""")]
    private static partial Regex InstrumentName();

    [GeneratedRegex(@"\bconst\s+string\s+\w+\s*=\s*""(?<name>storefront(?:\.[a-z0-9_]+)+)""")]
    private static partial Regex MetricNameConstant();

    [GeneratedRegex(@"""(?<text>[a-z0-9_.]+)""")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"\bCREATE TABLE (?:IF NOT EXISTS )?(?<table>\w+)", RegexOptions.IgnoreCase)]
    private static partial Regex CreateTable();

    // Upper-case keywords, as every statement here is written; a lower-case "update" is prose. The table may be quoted,
    // also inside a regular string literal (\"items\").
    [GeneratedRegex(@"\b(?:INSERT\s+(?:OR\s+[A-Z]+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+(?:\\?"")?(?<table>[a-z_][a-z0-9_]*)")]
    private static partial Regex SqlWrite();

    // db.Items.Add(...), db.Users.Where(...).ExecuteUpdateAsync(...), db.Set<OrderLine>().AddRange(...): a table, then calls, then a
    // write. The entity may be namespace-qualified (Set<Storefront.Api.Jobs.Job>); EfWrites keeps the context receivers.
    [GeneratedRegex(@"\b(?<receiver>\w+)\.(?:(?<set>[A-Z]\w*)|Set<(?:\w+\.)*(?<entity>\w+)>\(\))(?:\s*\.\s*\w+(?:<[^<>()]*>)?\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\))*\s*\.\s*(?<op>Add|AddRange|AddAsync|AddRangeAsync|Remove|RemoveRange|Update|UpdateRange|Attach|ExecuteUpdate|ExecuteUpdateAsync|ExecuteDelete|ExecuteDeleteAsync)\(")]
    private static partial Regex EfWrite();

    // StorefrontDbContext db, StorefrontDbContext _db; var context = ....GetRequiredService<StorefrontDbContext>().
    [GeneratedRegex(@"\bStorefrontDbContext\??\s+(?<name>\w+)|\bvar\s+(?<name>\w+)\s*=[^;]*GetRequiredService<StorefrontDbContext>\(\)")]
    private static partial Regex ContextName();

    [GeneratedRegex(@"\bDbSet<(?<entity>\w+)>\s+(?<name>\w+)\s*=>")]
    private static partial Regex DbSetDeclaration();

    [GeneratedRegex(@"EntityTypeBuilder<(?<entity>\w+)>")]
    private static partial Regex EntityMapping();

    [GeneratedRegex(@"^\s*(?<from>[A-Z][A-Za-z]*)\s*-->\s*(?<to>[A-Z][A-Za-z]*)\s*$", RegexOptions.Multiline)]
    private static partial Regex DiagramEdge();
}
