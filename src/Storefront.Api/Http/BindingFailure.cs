using System.Text;
using System.Text.RegularExpressions;

namespace Storefront.Api.Http;

/// <summary>
/// Reads the framework's binding message (<c>Failed to bind parameter "int itemId" from "abc".</c>) so the
/// client gets <c>errors: {"item_id": [...]}</c> in its own vocabulary instead of C# names and types.
/// </summary>
internal static partial class BindingFailure
{
    public static (string Name, string Message)? TryDescribe(string message)
    {
        var match = Pattern().Match(message);
        if (!match.Success) return null;
        var type = match.Groups["type"].Value.TrimEnd('?');
        var expected = type switch
        {
            "int" or "long" or "short" or "Int32" or "Int64" => "a whole number",
            "double" or "decimal" or "float" or "Double" or "Decimal" => "a number",
            "bool" or "Boolean" => "true or false",
            "Guid" => "a GUID",
            _ => "a valid value",
        };
        var value = match.Groups["value"].Value;
        if (value.Length > 40) value = string.Concat(value.AsSpan(0, 40), "…"); // Never echo a huge input back.
        return (SnakeCase(match.Groups["name"].Value), $"'{value}' is not {expected}.");
    }

    private static string SnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        foreach (var c in name)
        {
            if (char.IsUpper(c) && builder.Length > 0) builder.Append('_');
            builder.Append(char.ToLowerInvariant(c));
        }
        return builder.ToString();
    }

    [GeneratedRegex("""^Failed to bind parameter "(?<type>\S+) (?<name>[^"]+)" from "(?<value>.*)"\.$""")]
    private static partial Regex Pattern();
}
