using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;

namespace Storefront.Api.RateLimits;

/// <summary>
/// Fixed windows per key for the rate limiter policies of every feature: shared by all instances through Redis when
/// it is configured (<see cref="RedisWindows"/>), counted per instance otherwise or while it is down.
/// </summary>
public static class SharedLimits
{
    /// <summary>A partition of <paramref name="policy"/> for <paramref name="key"/>: <paramref name="permits"/> per <paramref name="window"/>.</summary>
    public static RateLimitPartition<string> Partition(HttpContext context, string policy, string key, int permits, TimeSpan window, TimeSpan redisTimeout) =>
        Partition(context.RequestServices.GetRequiredService<RedisWindows>(), policy, key, permits, window, redisTimeout);

    public static RateLimitPartition<string> Partition(RedisWindows windows, string policy, string key, int permits, TimeSpan window, TimeSpan redisTimeout)
    {
        var options = new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = window, QueueLimit = 0 };
        if (!windows.IsConfigured) return RateLimitPartition.GetFixedWindowLimiter($"{policy}:{key}", _ => options);
        return RateLimitPartition.Get($"{policy}:{key}", partition => windows.CreateLimiter(partition, options, redisTimeout));
    }

    /// <summary>
    /// The client as rate limits count it: its address (behind a trusted proxy, the forwarded one), an IPv6 address
    /// by its /64, which one subscriber usually holds whole: counting each of its 2^64 addresses apart would give one
    /// client endless fresh budgets.
    /// </summary>
    public static string ClientKey(HttpContext context) => ClientKey(context.Connection.RemoteIpAddress);

    /// <summary>A policy counted per client address (<see cref="ClientKey(HttpContext)"/>), in RateLimits__WindowSeconds windows.</summary>
    public static RateLimitPartition<string> PerClient(HttpContext context, string policy, Func<RateLimitsOptions, int> permits) =>
        Per(context, policy, ClientKey(context), permits);

    /// <summary>A policy counted per <paramref name="key"/>, in RateLimits__WindowSeconds windows.</summary>
    public static RateLimitPartition<string> Per(HttpContext context, string policy, string key, Func<RateLimitsOptions, int> permits)
    {
        var options = context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<RateLimitsOptions>>().Value;
        return Partition(context, policy, key, permits(options), TimeSpan.FromSeconds(options.WindowSeconds), TimeSpan.FromMilliseconds(options.RedisTimeoutMs));
    }

    public static string ClientKey(IPAddress? address)
    {
        if (address is null) return "unknown";
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address.ToString();
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
