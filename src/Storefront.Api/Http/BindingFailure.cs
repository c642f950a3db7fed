using System.Text;
using System.Text.RegularExpressions;

namespace Storefront.Api.Http;

/// <summary>
/// Reads the framework's binding messages (<c>Failed to bind parameter "int itemId" from "abc".</c>) so the client
/// gets <c>errors: {"item_id": [...]}</c> in its own vocabulary. The messages themselves are never sent: they quote
/// C# types and parameter names.
/// </summary>
internal static partial class BindingFailure
{
    /// <summary>The most of a client's value that is ever quoted back.</summary>
    public const int MaxEcho = 40;

    /// <summary>A path, query or header value that did not bind, named as the client spelled it; null for anything else.</summary>
    public static (string Name, string Message)? TryDescribe(string message)
    {
        if (FailedToBind().Match(message) is { Success: true } failed)
            return (SnakeCase(failed.Groups["name"].Value), $"{Quote(failed.Groups["value"].Value)} is not {Expected(failed.Groups["type"].Value)}.");
        if (Required().Match(message) is { Success: true } required && required.Groups["source"].Value != "body")
            return (SnakeCase(required.Groups["name"].Value), "Required.");
        return null;
    }

    /// <summary>The framework found no body where the endpoint needs one.</summary>
    public static bool IsMissingBody(string message) =>
        message.StartsWith("Implicit body inferred for parameter ", StringComparison.Ordinal) ||
        Required().Match(message) is { Success: true } required && required.Groups["source"].Value == "body";

    /// <summary>A client's value in quotes, cut to <see cref="MaxEcho"/> characters: a huge input is never echoed back.</summary>
    public static string Quote(string value) =>
        value.Length <= MaxEcho ? $"'{value}'" : $"'{value.AsSpan(0, MaxEcho)}…'";

    public static string SnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        foreach (var c in name)
        {
            if (char.IsUpper(c) && builder.Length > 0 && builder[^1] != '_') builder.Append('_');
            builder.Append(char.ToLowerInvariant(c));
        }
        return builder.ToString();
    }

    private static string Expected(string type) => type.TrimEnd('?') switch
    {
        "int" or "long" or "short" or "Int32" or "Int64" or "Int16" => "a whole number",
        "double" or "decimal" or "float" or "Double" or "Decimal" or "Single" => "a number",
        "bool" or "Boolean" => "true or false",
        "Guid" => "a GUID",
        _ => "a valid value",
    };

    // Anchored on the whole message (\A, \z) and across lines (Singleline): a value with a newline in it must still
    // match, or the raw message, C# names and all, would be the fallback.
    [GeneratedRegex("""\AFailed to bind parameter "(?<type>\S+) (?<name>[^"]+)" from "(?<value>.*)"\.\z""", RegexOptions.Singleline)]
    private static partial Regex FailedToBind();

    [GeneratedRegex("""\ARequired parameter "(?<type>\S+) (?<name>[^"]+)" was not provided from (?<source>.+)\.\z""", RegexOptions.Singleline)]
    private static partial Regex Required();
}
