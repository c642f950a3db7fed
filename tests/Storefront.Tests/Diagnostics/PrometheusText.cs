using System.Globalization;
using System.Text.RegularExpressions;

namespace Storefront.Tests.Diagnostics;

/// <summary>
/// A reader of the Prometheus text exposition format 0.0.4 that checks what Prometheus relies on: one TYPE and at
/// most one HELP per family, before its samples; samples that belong to their family; each series once; histograms
/// with ascending, cumulative buckets ending at +Inf and a matching count. Timestamps are allowed and ignored.
/// </summary>
internal static partial class PrometheusText
{
    private static readonly string[] Types = ["counter", "gauge", "histogram", "summary", "untyped"];

    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    public sealed class Family(string name)
    {
        public string Name { get; } = name;
        public string? Type { get; set; }
        public string? Help { get; set; }
        public List<Sample> Samples { get; } = [];
    }

    public static IReadOnlyList<Family> Parse(string text)
    {
        var families = new List<Family>();
        if (text.Length == 0) return families;
        Assert.True(text.EndsWith('\n'), "the output ends with a newline");
        Family? current = null;
        foreach (var line in text[..^1].Split('\n'))
        {
            if (line.Length == 0) continue;
            if (line.StartsWith("# HELP ", StringComparison.Ordinal) || line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var space = line.IndexOf(' ', 7);
                Assert.True(space > 7, $"a name and a text: {line}");
                var name = line[7..space];
                Assert.Matches(MetricName(), name);
                if (current?.Name != name)
                {
                    Assert.DoesNotContain(families, f => f.Name == name);
                    families.Add(current = new Family(name));
                }
                Assert.True(current.Samples.Count == 0, $"HELP and TYPE come before the samples of {name}");
                if (line[2] == 'H')
                {
                    Assert.True(current.Help is null, $"one HELP for {name}");
                    current.Help = Unescape(line[(space + 1)..], quoted: false);
                }
                else
                {
                    Assert.True(current.Type is null, $"one TYPE for {name}");
                    Assert.Contains(line[(space + 1)..], Types);
                    current.Type = line[(space + 1)..];
                }
            }
            else if (!line.StartsWith('#'))
            {
                var sample = ParseSample(line);
                Assert.True(current?.Type is not null && BelongsTo(sample.Name, current), $"a TYPE of its own family precedes {line}");
                current.Samples.Add(sample);
            }
        }
        families.ForEach(CheckInvariants);
        return families;
    }

    public static Family Named(this IReadOnlyList<Family> families, string name) => Assert.Single(families, f => f.Name == name);

    /// <summary>The one sample of that name whose labels include these (labels not named may have any value).</summary>
    public static double Value(this Family family, string sample, params (string Name, string Value)[] labels) =>
        Assert.Single(family.Samples, s => s.Name == sample && labels.All(l => s.Labels.TryGetValue(l.Name, out var v) && v == l.Value)).Value;

    /// <summary>The sum of the samples of that name whose labels include these; 0 when there are none.</summary>
    public static double Sum(this IReadOnlyList<Family> families, string family, string sample, params (string Name, string Value)[] labels) =>
        families.FirstOrDefault(f => f.Name == family)?.Samples
            .Where(s => s.Name == sample && labels.All(l => s.Labels.TryGetValue(l.Name, out var v) && v == l.Value))
            .Sum(s => s.Value) ?? 0;

    private static bool BelongsTo(string sample, Family family) => family.Type switch
    {
        "histogram" => sample == family.Name + "_bucket" || sample == family.Name + "_sum" || sample == family.Name + "_count",
        "summary" => sample == family.Name || sample == family.Name + "_sum" || sample == family.Name + "_count",
        _ => sample == family.Name,
    };

    private static void CheckInvariants(Family family)
    {
        var series = family.Samples.Select(s => s.Name + "|" + Key(s.Labels)).ToList();
        Assert.True(series.Count == series.Distinct().Count(), $"each series of {family.Name} once");
        if (family.Type == "counter") Assert.All(family.Samples, s => Assert.True(s.Value >= 0, $"{s.Name} is not negative or NaN"));
        if (family.Type != "histogram") return;
        foreach (var group in family.Samples.GroupBy(s => Key(s.Labels.Where(l => l.Key != "le"))))
        {
            var buckets = group.Where(s => s.Name == family.Name + "_bucket").ToList();
            Assert.NotEmpty(buckets);
            var les = buckets.Select(b => ParseValue(b.Labels["le"])).ToList();
            Assert.Equal(double.PositiveInfinity, les[^1]);
            for (var i = 1; i < buckets.Count; i++)
            {
                Assert.True(les[i] > les[i - 1], $"le ascends in {family.Name}");
                Assert.True(buckets[i].Value >= buckets[i - 1].Value, $"buckets of {family.Name} are cumulative");
            }
            var count = Assert.Single(group, s => s.Name == family.Name + "_count");
            var sum = Assert.Single(group, s => s.Name == family.Name + "_sum");
            Assert.False(count.Labels.ContainsKey("le") || sum.Labels.ContainsKey("le"), "_sum and _count carry no le");
            Assert.Equal(buckets[^1].Value, count.Value);
        }
    }

    private static string Key(IEnumerable<KeyValuePair<string, string>> labels) =>
        string.Join('\u0001', labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "\u0002" + l.Value));

    private static Sample ParseSample(string line)
    {
        var i = 0;
        var name = ReadName(line, ref i);
        Assert.Matches(MetricName(), name);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            do
            {
                i++;
                var label = ReadName(line, ref i);
                Assert.Matches(LabelName(), label);
                Assert.True(line.AsSpan(i).StartsWith("=\""), $"label {label} has a quoted value: {line}");
                i += 2;
                var start = i;
                while (i < line.Length && line[i] != '"') i += line[i] == '\\' ? 2 : 1;
                Assert.True(i < line.Length, $"label value closed: {line}");
                Assert.True(labels.TryAdd(label, Unescape(line[start..i], quoted: true)), $"label {label} once: {line}");
                i++;
            } while (i < line.Length && line[i] == ',');
            Assert.True(i < line.Length && line[i] == '}', $"labels closed: {line}");
            i++;
        }
        Assert.True(i < line.Length && line[i] == ' ', $"one space before the value: {line}");
        var fields = line[(i + 1)..].Split(' ');
        Assert.True(fields.Length <= 2 && (fields.Length == 1 || long.TryParse(fields[1], CultureInfo.InvariantCulture, out _)),
            $"a value and at most a timestamp: {line}");
        return new Sample(name, labels, ParseValue(fields[0]));
    }

    private static string ReadName(string line, ref int i)
    {
        var start = i;
        while (i < line.Length && (char.IsAsciiLetterOrDigit(line[i]) || line[i] is '_' or ':')) i++;
        return line[start..i];
    }

    private static double ParseValue(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ when FloatText().IsMatch(text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        _ => throw new Xunit.Sdk.XunitException($"not a Prometheus number: '{text}'"),
    };

    /// <summary>HELP knows <c>\\</c> and <c>\n</c>; label values also <c>\"</c>. Any other escape is an error.</summary>
    private static string Unescape(string text, bool quoted)
    {
        var result = new System.Text.StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\')
            {
                Assert.False(quoted && text[i] == '"', "a quote in a label value is escaped");
                result.Append(text[i]);
                continue;
            }
            Assert.True(++i < text.Length, "escape complete");
            result.Append(text[i] switch
            {
                '\\' => '\\',
                'n' => '\n',
                '"' when quoted => '"',
                _ => throw new Xunit.Sdk.XunitException($"unknown escape \\{text[i]} in '{text}'"),
            });
        }
        return result.ToString();
    }

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex LabelName();

    [GeneratedRegex(@"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")]
    private static partial Regex FloatText();
}
