using System.Globalization;

namespace Storefront.Bench;

/// <summary>A load tool's command line: one absolute URL, <c>--name value</c> options and <c>--name</c> switches.</summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, string> _values = [];
    private readonly HashSet<string> _switches = [];

    public Uri? Url { get; private set; }

    /// <param name="numbers">options whose value must be a number</param>
    /// <param name="texts">options whose value is taken as it is</param>
    public static bool TryRead(string[] args, string[] numbers, string[] texts, string[] switches, out CommandLine line,
        out string problem)
    {
        line = new CommandLine();
        problem = "";
        for (var i = 0; i < args.Length; i++)
        {
            if (switches.Contains(args[i])) line._switches.Add(args[i]);
            else if ((numbers.Contains(args[i]) || texts.Contains(args[i])) && i + 1 < args.Length) line._values[args[i]] = args[++i];
            else if (line.Url is null && Uri.TryCreate(args[i], UriKind.Absolute, out var url)) line.Url = url;
            else
            {
                problem = $"not understood: {args[i]}";
                return false;
            }
        }
        foreach (var name in numbers)
        {
            if (line._values.TryGetValue(name, out var text) && !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                problem = $"{name} needs a number, not {text}";
                return false;
            }
        }
        return true;
    }

    public string? Text(string name) => _values.GetValueOrDefault(name);

    public bool Has(string name) => _switches.Contains(name);

    public double Number(string name, double fallback) =>
        _values.TryGetValue(name, out var text) ? double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture) : fallback;

    /// <summary>The option's whole number; -1 (which every check refuses) for a fraction.</summary>
    public int Int(string name, int fallback) =>
        !_values.TryGetValue(name, out var text) ? fallback
        : int.TryParse(text, CultureInfo.InvariantCulture, out var value) ? value : -1;
}
