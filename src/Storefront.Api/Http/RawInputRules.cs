using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace Storefront.Api.Http;

/// <summary>
/// The raw text behind every number and string a handler takes from the path or the query, checked before the handler
/// runs. The framework's binding is lenient: it reads " 5", "+5" and "5\0" as 5, and for doubles "0,5" as 5 and
/// "1e1" as 10 (thousands separators and exponents allowed), and joins a repeated query name into "a,b". Here a number
/// is plain digits with an optional '-' and, for decimals, one '.' with digits after it; a name has one value; and no
/// text contains NUL, which PostgreSQL cannot store and SQLite would keep silently.
/// </summary>
internal sealed class RawInputRules
{
    private enum Kind { Text, Integer, Decimal }

    private sealed record Rule(string Name, string Field, Kind Kind);

    private readonly Rule[] _rules;

    private RawInputRules(Rule[] rules) => _rules = rules;

    public bool IsEmpty => _rules.Length == 0;

    /// <summary>The rules for a handler's path and query parameters, <c>[AsParameters]</c> records included.</summary>
    public static RawInputRules For(MethodInfo handler)
    {
        var rules = new List<Rule>();
        foreach (var parameter in Flatten(handler.GetParameters()))
        {
            var type = Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType;
            Kind? kind = type == typeof(string) ? Kind.Text
                : type == typeof(int) || type == typeof(long) || type == typeof(short) ? Kind.Integer
                : type == typeof(double) || type == typeof(decimal) || type == typeof(float) ? Kind.Decimal
                : null;
            if (kind is null) continue;
            var attributes = parameter.GetCustomAttributes(inherit: true);
            if (attributes.Any(a => a is IFromBodyMetadata or IFromFormMetadata or IFromHeaderMetadata or IFromServiceMetadata)) continue;
            var name = attributes.OfType<IFromRouteMetadata>().FirstOrDefault()?.Name
                       ?? attributes.OfType<IFromQueryMetadata>().FirstOrDefault()?.Name
                       ?? parameter.Name!;
            rules.Add(new Rule(name, BindingFailure.SnakeCase(name), kind.Value));
        }
        return new RawInputRules([.. rules]);
    }

    /// <summary>Field errors for the request's raw values, or null when every value follows the rules.</summary>
    public Dictionary<string, string[]>? Check(HttpRequest request)
    {
        ValidationErrors? errors = null;
        foreach (var rule in _rules)
        {
            string? raw;
            if (request.RouteValues.TryGetValue(rule.Name, out var routeValue)) raw = routeValue as string;
            else if (request.Query.TryGetValue(rule.Name, out var values))
            {
                if (values.Count > 1)
                {
                    (errors ??= new()).Add(rule.Field, "Send one value.");
                    continue;
                }
                raw = values[0];
            }
            else continue;
            if (string.IsNullOrEmpty(raw)) continue;

            var problem = rule.Kind switch
            {
                _ when raw.Contains('\0', StringComparison.Ordinal) => ValidationErrors.NulMessage,
                Kind.Integer when !IsNumber(raw, allowFraction: false) => $"{BindingFailure.Quote(raw)} is not a whole number.",
                Kind.Decimal when !IsNumber(raw, allowFraction: true) => $"{BindingFailure.Quote(raw)} is not a number (digits, an optional '-' and '.').",
                _ => null,
            };
            if (problem is not null) (errors ??= new()).Add(rule.Field, problem);
        }
        return errors?.ToDictionary();
    }

    // -?digits, and for decimals optionally .digits: nothing the invariant culture would also read differently.
    private static bool IsNumber(string text, bool allowFraction)
    {
        var span = text.AsSpan();
        if (span is ['-', ..]) span = span[1..];
        var dot = allowFraction ? span.IndexOf('.') : -1;
        var whole = dot < 0 ? span : span[..dot];
        var fraction = dot < 0 ? "" : span[(dot + 1)..];
        return whole.Length > 0 && !whole.ContainsAnyExceptInRange('0', '9') &&
               (dot < 0 || (fraction.Length > 0 && !fraction.ContainsAnyExceptInRange('0', '9')));
    }

    private static IEnumerable<ParameterInfo> Flatten(IEnumerable<ParameterInfo> parameters) =>
        parameters.SelectMany(p => p.GetCustomAttribute<AsParametersAttribute>() is null
            ? [p]
            : Flatten(p.ParameterType.GetConstructors().MaxBy(c => c.GetParameters().Length)?.GetParameters() ?? []));
}
