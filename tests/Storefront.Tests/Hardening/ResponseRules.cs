namespace Storefront.Tests.Hardening;

/// <summary>What every answer to a corpus request must respect, whatever the request was.</summary>
internal static class ResponseRules
{
    // Stack frames, exception and namespace names, and the framework's own binding messages, which quote C# parameters.
    private static readonly string[] Internals = ["   at ", "Exception", "System.", "Microsoft.", "Storefront.", ".cs:line", "parameter \""];

    private const int MaxEcho = 40;

    public static IEnumerable<string> Broken(Probe probe, int status, string? contentType, bool hasProcessTime, string body)
    {
        if (status >= 500)
        {
            yield return $"{status}: {Shorten(body)}";
            yield break;
        }
        if (probe.Expect == Expect.Refused && status < 400) yield return $"accepted ({status}) what must be refused";
        if (probe.Expect == Expect.TooLarge && status != 413 && !(probe.Anonymous && status == 401)) yield return $"{status} instead of 413";
        if (status < 400) yield break;

        // Kestrel refuses some request lines (a NUL in the path) before any middleware runs: a bare 400, no body.
        if (probe.ServerMayRefuse && !hasProcessTime && status == 400 && body.Length == 0) yield break;

        if (contentType != "application/problem+json")
        {
            yield return $"{status} as '{contentType}', not Problem Details: {Shorten(body)}";
            yield break;
        }
        JsonElement problem;
        try
        {
            problem = JsonDocument.Parse(body).RootElement;
        }
        catch (JsonException)
        {
            problem = default;
        }
        if (problem.ValueKind != JsonValueKind.Object)
        {
            yield return $"{status}: the Problem Details body is not a JSON object: {Shorten(body)}";
            yield break;
        }
        if (!problem.TryGetProperty("status", out var statusValue) || statusValue.GetInt32() != status) yield return $"{status}: 'status' does not say {status}";
        foreach (var member in new[] { "type", "title", "detail", "trace_id" })
            if (!problem.TryGetProperty(member, out var value) || string.IsNullOrWhiteSpace(value.GetString())) yield return $"{status}: no '{member}'";

        var texts = Strings(problem).ToList();
        foreach (var marker in Internals)
            if (texts.Any(t => t.Contains(marker, StringComparison.Ordinal))) yield return $"{status}: internals ('{marker}') in {Shorten(body)}";
        foreach (var name in probe.Endpoint.ClrNames.Where(n => n.Any(char.IsUpper)))
            if (texts.Any(t => t.Contains(name, StringComparison.Ordinal))) yield return $"{status}: a C# name ('{name}') in {Shorten(body)}";
        if (probe.Offending is { Length: > MaxEcho } offending && texts.Any(t => Echoes(t, offending)))
            yield return $"{status}: more than {MaxEcho} characters of the request's value echoed in {Shorten(body)}";
    }

    /// <summary>Every string in the document, member names included (a field name is client input too).</summary>
    private static IEnumerable<string> Strings(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                yield return element.GetString()!;
                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    yield return property.Name;
                    foreach (var text in Strings(property.Value)) yield return text;
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                    foreach (var text in Strings(item)) yield return text;
                break;
        }
    }

    private static bool Echoes(string text, string offending)
    {
        for (var start = 0; start + MaxEcho < text.Length; start++)
            if (offending.Contains(text.AsSpan(start, MaxEcho + 1), StringComparison.Ordinal)) return true;
        return false;
    }

    private static string Shorten(string body) => body.Length <= 300 ? body : body[..300] + "…";
}
