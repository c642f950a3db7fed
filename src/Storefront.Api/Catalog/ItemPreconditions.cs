using System.Globalization;
using Microsoft.Net.Http.Headers;

namespace Storefront.Api.Catalog;

/// <summary>
/// ETag and If-Match for one item (RFC 9110 section 13.1.1): the ETag is the item's version, a strong tag
/// <c>"7"</c> that every write raises. A write names the versions it was made against; the store applies it only
/// to one of them, in the same statement, so two clients editing one item cannot both win.
/// </summary>
internal static class ItemPreconditions
{
    public static string ETag(int version) => string.Create(CultureInfo.InvariantCulture, $"\"{version}\"");

    /// <summary>
    /// The versions a write may apply to: null for any (no If-Match, or <c>*</c>), else those the header names
    /// (weak tags never match: If-Match compares strongly). A header naming nothing usable gives an empty list: 412.
    /// </summary>
    public static IReadOnlyList<int>? Versions(HttpRequest request)
    {
        if (!request.Headers.ContainsKey(HeaderNames.IfMatch)) return null;
        var versions = new List<int>();
        foreach (var value in request.Headers.IfMatch)
        {
            foreach (var part in (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (part == "*") return null;
                if (part.Length > 2 && part[0] == '"' && part[^1] == '"'
                    && int.TryParse(part.AsSpan(1, part.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
                    versions.Add(version);
            }
        }
        return versions;
    }

    public static ProblemHttpResult Required() => TypedResults.Problem(
        "This service requires If-Match on PUT and DELETE /items/{item_id}: GET the item and send its ETag back.",
        statusCode: StatusCodes.Status428PreconditionRequired);

    public static ProblemHttpResult Failed(int itemId) => TypedResults.Problem(
        $"Item {itemId} has changed since the version named in If-Match: GET it again and apply your change to the new version.",
        statusCode: StatusCodes.Status412PreconditionFailed);
}
