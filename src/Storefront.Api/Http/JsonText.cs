using System.Text.Json;

namespace Storefront.Api.Http;

/// <summary>
/// For free-form JSON (a <see cref="JsonElement"/> body), what typed binding checks by itself: every string and member
/// name is real text. Without binding to a type nothing decodes the strings, so a lone surrogate ("\ud800"), invalid
/// UTF-8 or NUL would be accepted and fail later, when the value is written out again or stored.
/// </summary>
public static class JsonText
{
    /// <summary>
    /// The path of the first string or member name that is not valid Unicode text or contains NUL, null if none; cut to
    /// 40 characters, since member names are the client's text.
    /// </summary>
    public static string? FindInvalid(JsonElement element) =>
        Find(element, "$") is { } path ? (path.Length <= BindingFailure.MaxEcho ? path : string.Concat(path.AsSpan(0, BindingFailure.MaxEcho), "…")) : null;

    private static string? Find(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return IsText(element.GetString) ? null : path;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (!IsText(() => property.Name)) return $"{path}.<member>";
                    if (Find(property.Value, $"{path}.{property.Name}") is { } found) return found;
                }
                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (Find(item, $"{path}[{index++}]") is { } found) return found;
                }
                return null;
            default:
                return null;
        }
    }

    // The reader decodes escapes and UTF-8 only when asked for the string, and throws for what is not text.
    private static bool IsText(Func<string?> read)
    {
        try
        {
            return !ValidationErrors.HasNul(read());
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
