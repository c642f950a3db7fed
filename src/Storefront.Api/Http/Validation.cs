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
/// Before the handler: the raw path and query text of its parameters (<see cref="RawInputRules"/>), then
/// <see cref="IValidatable.Validate"/> on every argument that has rules.
/// </summary>
public static class ValidationFilter
{
    public static EndpointFilterDelegate Create(EndpointFilterFactoryContext context, EndpointFilterDelegate next)
    {
        var raw = RawInputRules.For(context.MethodInfo);
        return async invocation =>
        {
            if (!raw.IsEmpty && raw.Check(invocation.HttpContext.Request) is { } rawErrors)
                return TypedResults.ValidationProblem(rawErrors, detail: "One or more fields are invalid.");
            foreach (var argument in invocation.Arguments)
            {
                if (argument is IValidatable validatable && validatable.Validate() is { Count: > 0 } errors)
                    return TypedResults.ValidationProblem(errors, detail: "One or more fields are invalid.");
            }
            return await next(invocation);
        };
    }
}

public static class ValidationExtensions
{
    public static TBuilder WithValidation<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilterFactory(ValidationFilter.Create);
}
