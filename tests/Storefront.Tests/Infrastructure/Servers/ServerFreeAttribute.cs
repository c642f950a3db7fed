using Xunit.v3;

namespace Storefront.Tests.Infrastructure.Servers;

/// <summary>
/// Marks a test class whose tests need no external server (PostgreSQL, Redis, SMTP, Prometheus, a browser, Redocly): the
/// fast inner loop runs just these (<c>dotnet test --filter-trait "Servers=none"</c>). <see cref="TestServers"/> fails a
/// test so marked that asks for a server, so the mark stays true.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ServerFreeAttribute : Attribute, ITraitAttribute
{
    public const string Trait = "Servers";
    public const string Value = "none";

    public IReadOnlyCollection<KeyValuePair<string, string>> GetTraits() => [new(Trait, Value)];
}
