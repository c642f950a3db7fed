using System.Globalization;
using System.Reflection;

namespace Storefront.Tests.Deploy;

/// <summary>
/// Whether an environment variable names a setting the service reads: <c>Section__Property</c> resolved against the
/// options classes (each with <c>public const string Section</c>) found in the service's assembly, the way the
/// configuration binder would bind it. A misspelt name in a deploy file would otherwise be ignored without a word.
/// </summary>
internal static class SettingNames
{
    // The host's own variables and the connection strings (read by name, not through an options class).
    private static readonly string[] FrameworkPrefixes = ["ASPNETCORE_", "DOTNET_"];

    private static readonly IReadOnlyList<(string[] Section, Type Options)> Sections = typeof(Program).Assembly.GetTypes()
        .Select(type => (Type: type, Field: type.GetField("Section", BindingFlags.Public | BindingFlags.Static)))
        .Where(x => x.Field is { IsLiteral: true } && x.Field.FieldType == typeof(string))
        .Select(x => (((string)x.Field!.GetRawConstantValue()!).Split(':'), x.Type))
        .ToList();

    public static bool IsReal(string name)
    {
        if (FrameworkPrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal))) return true;
        var parts = name.Split("__");
        if (parts is [var connectionStrings, { Length: > 0 }] && Same(connectionStrings, "ConnectionStrings")) return true;
        return Sections.Any(s => parts.Length > s.Section.Length
            && s.Section.Select((segment, i) => Same(segment, parts[i])).All(same => same)
            && Resolves(s.Options, parts.AsSpan(s.Section.Length)));
    }

    private static bool Resolves(Type type, ReadOnlySpan<string> path)
    {
        if (IsLeaf(type)) return path.IsEmpty;
        if (path.IsEmpty) return false; // A section, not a value.
        if (DictionaryValue(type) is { } value) return Resolves(value, path[1..]);
        if (ListElement(type) is { } element)
            return int.TryParse(path[0], NumberStyles.None, CultureInfo.InvariantCulture, out _) && Resolves(element, path[1..]);
        var property = type.GetProperty(path[0], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
        // The binder sets values through public setters; a get-only collection or object is filled in place.
        if (property is null || (IsLeaf(property.PropertyType) && property.SetMethod is not { IsPublic: true })) return false;
        return Resolves(property.PropertyType, path[1..]);
    }

    private static bool IsLeaf(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal)
            || type == typeof(TimeSpan) || type == typeof(Uri);
    }

    private static Type? DictionaryValue(Type type) => GenericInterface(type, typeof(IDictionary<,>)) is { } dictionary
        && dictionary.GetGenericArguments()[0] == typeof(string) ? dictionary.GetGenericArguments()[1] : null;

    private static Type? ListElement(Type type) =>
        type.IsArray ? type.GetElementType() : GenericInterface(type, typeof(IEnumerable<>))?.GetGenericArguments()[0];

    private static Type? GenericInterface(Type type, Type definition) =>
        (type.IsInterface ? type.GetInterfaces().Append(type) : type.GetInterfaces())
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == definition);

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
