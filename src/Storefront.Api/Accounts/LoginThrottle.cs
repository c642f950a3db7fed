using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Memory;
using Storefront.Api.Data;
using Storefront.Api.RateLimits;

namespace Storefront.Api.Accounts;

/// <summary>
/// Failed sign-ins per username, from every address together (the per-address limit alone lets a pool of addresses
/// spray one account): a short window (RateLimits__UsernameFailures per UsernameWindowSeconds) and an hourly one
/// (UsernameHourlyFailures). Past either, the name's sign-ins are answered 429 until that window ends: the back-off is
/// bounded (at most an hour), so an attacker can delay the owner's correct login but never lock it out for good.
/// Counted for any name, registered or not, and answered alike, so the throttle tells nobody which names exist.
/// Shared through Redis like the other limits; counted per instance without it or while it is down.
/// </summary>
public sealed class LoginThrottle : IDisposable
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    private readonly RedisWindows _windows;
    private readonly RateLimitsOptions _options;
    private readonly TimeProvider _clock;
    // Bounded like the user check: a spray over many names cannot grow it without limit (past it, names go uncounted
    // here; with Redis they are counted there).
    private readonly MemoryCache _local = new(new MemoryCacheOptions { SizeLimit = 100_000 });

    public LoginThrottle(RedisWindows windows, IOptions<RateLimitsOptions> options, TimeProvider clock)
    {
        _windows = windows;
        _options = options.Value;
        _clock = clock;
    }

    /// <returns>null when a sign-in as <paramref name="normalizedUsername"/> may be checked, else the seconds to wait.</returns>
    public async Task<int?> RetryAfterAsync(string normalizedUsername, CancellationToken cancellationToken)
    {
        foreach (var (tier, permits, window) in Tiers())
        {
            var count = await CountAsync(Key(tier, normalizedUsername), 0, window, cancellationToken);
            if (count.Count >= permits) return Math.Max(1, (int)Math.Ceiling(count.Remaining.TotalSeconds));
        }
        return null;
    }

    public async Task FailedAsync(string normalizedUsername, CancellationToken cancellationToken)
    {
        foreach (var (tier, _, window) in Tiers()) await CountAsync(Key(tier, normalizedUsername), 1, window, cancellationToken);
    }

    public void Dispose() => _local.Dispose();

    private IEnumerable<(string Tier, int Permits, TimeSpan Window)> Tiers()
    {
        yield return ("short", _options.UsernameFailures, TimeSpan.FromSeconds(_options.UsernameWindowSeconds));
        yield return ("hour", _options.UsernameHourlyFailures, Hour);
    }

    // Hashed: a name is up to 254 characters of anything, and a Redis key should be neither long nor readable.
    private static string Key(string tier, string name) =>
        $"login-user:{tier}:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..32]}";

    private async Task<WindowCount> CountAsync(string key, int add, TimeSpan window, CancellationToken cancellationToken)
    {
        if (_windows.IsConfigured &&
            await _windows.IncrementAsync(RedisWindows.KeyPrefix + key, add, window, TimeSpan.FromMilliseconds(_options.RedisTimeoutMs), cancellationToken) is { } shared)
            return shared;
        var now = _clock.GetUtcNow();
        var counter = _local.GetOrCreate(key, entry =>
        {
            entry.Size = 1;
            entry.AbsoluteExpiration = now + window;
            return new Counter(now + window);
        })!;
        var count = add == 0 ? Interlocked.Read(ref counter.Count) : Interlocked.Add(ref counter.Count, add);
        return new WindowCount(count, counter.Ends - now);
    }

    private sealed class Counter(DateTimeOffset ends)
    {
        public long Count;
        public DateTimeOffset Ends { get; } = ends;
    }
}
