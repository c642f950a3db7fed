using System.Reflection;

namespace Storefront.Api.Http;

/// <summary>A request type that knows its own rules. Keys are the snake_case JSON or query names.</summary>
public interface IValidatable
{
    Dictionary<string, string[]>? Validate();
}

/// <summary>Collects field errors in the order they are found.</summary>
public sealed class ValidationErrors
{
    /// <summary>
    /// Why NUL (U+0000) is refused in every text input: PostgreSQL cannot store it in text and SQLite keeps it
    /// silently, so the same request would fail on one store and succeed on the other.
    /// </summary>
    public const string NulMessage = "Must not contain NUL (U+0000) characters.";

    private Dictionary<string, List<string>>? _errors;

    public ValidationErrors Add(string field, string message)
    {
        _errors ??= [];
        if (!_errors.TryGetValue(field, out var messages)) _errors[field] = messages = [];
        messages.Add(message);
        return this;
    }

    public ValidationErrors Check(bool ok, string field, string message) => ok ? this : Add(field, message);

    /// <summary>The rule every text field shares, whatever else it checks: no NUL.</summary>
    public ValidationErrors CheckText(string? value, string field) => Check(!HasNul(value), field, NulMessage);

    public static bool HasNul(string? value) => value is not null && value.Contains('\0', StringComparison.Ordinal);

    public Dictionary<string, string[]>? ToDictionary() =>
        _errors?.ToDictionary(p => p.Key, p => p.Value.ToArray());
}

/// <summary>
/// The one validation path, in two steps before the handler: the raw path and query text of its parameters
/// (<see cref="RawInputRules"/>, checked by <see cref="RawInputRulesMiddleware"/> from endpoint metadata), then
/// <see cref="IValidatable.Validate"/> on every argument that has rules (an endpoint filter).
/// </summary>
/// <remarks>
/// The filter is added only to endpoints that take an <see cref="IValidatable"/>: an endpoint filter makes the framework
/// box every argument and await the handler through a <c>ValueTask&lt;object&gt;</c>, which showed in <c>POST /predict</c>'s
/// throughput when the raw checks ran in it too (docs/benchmarks-notes.md).
/// </remarks>
public static class ValidationExtensions
{
    public static TBuilder WithValidation<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint =>
        {
            // Minimal APIs put the handler's MethodInfo first in the metadata, before conventions run.
            if (endpoint.Metadata.OfType<MethodInfo>().FirstOrDefault() is not { } handler) return;
            if (RawInputRules.For(handler) is { IsEmpty: false } raw) endpoint.Metadata.Add(raw);
            if (handler.GetParameters().Any(p => typeof(IValidatable).IsAssignableFrom(p.ParameterType)))
                endpoint.FilterFactories.Add(ValidationFilter.Create);
        });
        return builder;
    }

    /// <summary>Checks the raw input of endpoints mapped <see cref="WithValidation"/>; after authentication, like the handler.</summary>
    public static IApplicationBuilder UseRawInputRules(this IApplicationBuilder app) => app.UseMiddleware<RawInputRulesMiddleware>();

    internal static ValidationProblem Invalid(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, detail: "One or more fields are invalid.");
}

internal static class ValidationFilter
{
    // Not async: a valid request goes on to the handler's own ValueTask, with no state machine of the filter's around it.
    public static EndpointFilterDelegate Create(EndpointFilterFactoryContext context, EndpointFilterDelegate next) =>
        invocation =>
        {
            var arguments = invocation.Arguments;
            for (var i = 0; i < arguments.Count; i++) // An index, not foreach: the list's enumerator would be allocated.
            {
                if (arguments[i] is IValidatable validatable && validatable.Validate() is { Count: > 0 } errors)
                    return ValueTask.FromResult<object?>(ValidationExtensions.Invalid(errors));
            }
            return next(invocation);
        };
}
