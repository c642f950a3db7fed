using System.Text.Json.Serialization;

namespace Storefront.Tests.Infrastructure;

/// <summary>
/// A Problem Details answer: the members every error has, typed, and <see cref="Errors"/> for a validation problem.
/// The members an endpoint adds (<c>source</c>, <c>lines</c>, <c>limit</c>, ...) are read with <see cref="Member{T}"/>;
/// <see cref="Json"/> is the body as it came.
/// </summary>
public sealed record Problem(int Status, string Title, string Detail, string Type, string TraceId,
    IReadOnlyDictionary<string, string[]>? Errors = null)
{
    [JsonIgnore] public JsonElement Json { get; init; }

    /// <summary>A member the endpoint adds, read as <typeparamref name="T"/> as strictly as the answer itself.</summary>
    public T Member<T>(string name) =>
        Json.GetProperty(name).Deserialize<T>(HttpAssertions.Answers) ?? throw new Xunit.Sdk.XunitException($"The problem's {name} is null");
}
