using Storefront.Api.Upstreams;

namespace Storefront.Tests.Infrastructure;

/// <summary>
/// How one upstream source fared, as <see cref="SourceReport"/> writes it: <c>detail</c> is left out when there is
/// none, which a strict reader of the service's record (every constructor parameter required) would refuse.
/// </summary>
public sealed record SourceAnswer(string Status, double Ms, string? Detail = null);
