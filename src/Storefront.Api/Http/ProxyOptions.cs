using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Storefront.Api.Http;

/// <summary>
/// The reverse proxies whose X-Forwarded-For / X-Forwarded-Proto the service believes. Empty (the default):
/// the headers are ignored, so a client cannot pick its own address to slip past the per-client rate limits.
/// </summary>
public sealed class ProxyOptions
{
    public const string Section = "Proxy";

    /// <summary>Addresses ("10.0.0.5") or networks ("10.0.0.0/8") of the proxies in front of the service.</summary>
    public IList<string> TrustedProxies { get; } = [];

    /// <summary>Applies the trusted list to the framework's forwarded-headers options.</summary>
    internal static void Configure(ForwardedHeadersOptions forwarded, ProxyOptions proxy)
    {
        forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
        // The framework trusts loopback by default; only what is configured counts here.
        forwarded.KnownProxies.Clear();
        forwarded.KnownIPNetworks.Clear();
        foreach (var entry in proxy.TrustedProxies)
        {
            if (!TryParse(entry, out var address, out var network)) continue; // ProxyOptionsValidator stops startup first.
            if (address is not null) forwarded.KnownProxies.Add(address);
            else forwarded.KnownIPNetworks.Add(network);
        }
    }

    /// <summary>An address ("10.0.0.5") or, with a slash, a network ("10.0.0.0/8").</summary>
    internal static bool TryParse(string entry, out IPAddress? address, out System.Net.IPNetwork network)
    {
        address = null;
        network = default;
        return entry.Contains('/', StringComparison.Ordinal)
            ? System.Net.IPNetwork.TryParse(entry, out network)
            : IPAddress.TryParse(entry, out address);
    }
}

internal sealed class ProxyOptionsValidator : IValidateOptions<ProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, ProxyOptions options)
    {
        var bad = options.TrustedProxies
            .Where(entry => !ProxyOptions.TryParse(entry, out _, out _))
            .ToList();
        return bad.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Proxy__TrustedProxies: not an IP address or CIDR network: {string.Join(", ", bad)}.");
    }
}
