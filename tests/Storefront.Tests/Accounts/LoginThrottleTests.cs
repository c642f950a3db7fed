using Storefront.Api.RateLimits;

namespace Storefront.Tests.Accounts;

/// <summary>
/// Password spraying from many addresses meets a limit per username as well as per address (an IPv6
/// client counted by its /64), shared by instances through Redis; the back-off is bounded, and the throttle answers a
/// name that exists exactly as one that does not.
/// </summary>
public sealed class LoginThrottleTests
{
    [Fact]
    public async Task Failures_from_many_loopback_addresses_lock_the_username_for_all_of_them_alike_for_unknown_names()
    {
        await using var host = new SqliteStorefrontFactory();
        host.With("RateLimits:UsernameFailures", "3").With("RateLimits:UsernameWindowSeconds", "60");
        using var registrar = host.CreateClient();
        var username = TestAccounts.NewUsername();
        await TestAccounts.RegisterAsync(registrar, username, $"{username}@example.com");

        var answers = new Dictionary<string, string>();
        foreach (var name in new[] { username, TestAccounts.NewUsername() }) // A real name and a name nobody has.
        {
            for (var i = 0; i < 3; i++)
            {
                using var sprayer = From(host, $"127.0.0.{10 + i}");
                await (await TestAccounts.LoginAsync(sprayer, name, $"guess number {i}")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
            }
            using var next = From(host, "127.0.0.20");
            var refused = await TestAccounts.LoginAsync(next, name, TestAccounts.Password); // The right password, for the real name.
            answers[name == username ? "real" : "unknown"] =
                (await refused.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests)).Detail;
            Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 60);
        }
        Assert.Equal(answers["real"], answers["unknown"]);
    }

    [Fact]
    public async Task The_back_off_ends_and_the_owner_signs_in_again()
    {
        await using var host = new SqliteStorefrontFactory();
        host.With("RateLimits:UsernameFailures", "2").With("RateLimits:UsernameWindowSeconds", "2");
        using var client = host.CreateClient();
        var username = TestAccounts.NewUsername();
        await TestAccounts.RegisterAsync(client, username, $"{username}@example.com");
        // A slow machine may cross a window boundary on the way: then it takes a few more failures to reach the limit.
        await Eventually.ValueAsync(() => TestAccounts.LoginAsync(client, username, "a wrong guess"), r => r.StatusCode == HttpStatusCode.TooManyRequests,
            TimeSpan.FromSeconds(30), "the name is throttled");
        var back = await Eventually.ValueAsync(() => TestAccounts.LoginAsync(client, username, TestAccounts.Password), r => r.StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "the owner's correct password works again once the window ends");
        await back.ShouldBeJsonAsync();
    }

    [Fact]
    public async Task Addresses_of_one_ipv6_64_share_a_login_limit()
    {
        await using var host = new SqliteStorefrontFactory();
        host.With("RateLimits:LoginPermits", "2").With("Proxy:TrustedProxies:0", "127.0.0.0/8");
        using var client = host.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await TestAccounts.LoginFromAsync(client, "2001:db8:33:1::1")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await TestAccounts.LoginFromAsync(client, "2001:db8:33:1::2")).StatusCode);
        await (await TestAccounts.LoginFromAsync(client, "2001:db8:33:1:ffff:ffff:ffff:ffff")).ShouldBeProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal(HttpStatusCode.Unauthorized, (await TestAccounts.LoginFromAsync(client, "2001:db8:33:2::1")).StatusCode); // Another /64.
    }

    [Fact]
    public void Client_keys_group_ipv6_by_64_and_keep_ipv4_whole()
    {
        Assert.Equal(SharedLimits.ClientKey(IPAddress.Parse("2001:db8:1:2::1")), SharedLimits.ClientKey(IPAddress.Parse("2001:db8:1:2:abcd::9")));
        Assert.NotEqual(SharedLimits.ClientKey(IPAddress.Parse("2001:db8:1:2::1")), SharedLimits.ClientKey(IPAddress.Parse("2001:db8:1:3::1")));
        Assert.NotEqual(SharedLimits.ClientKey(IPAddress.Parse("192.0.2.1")), SharedLimits.ClientKey(IPAddress.Parse("192.0.2.2")));
        Assert.Equal("192.0.2.1", SharedLimits.ClientKey(IPAddress.Parse("::ffff:192.0.2.1")));
    }

    [Fact]
    public async Task Two_instances_on_one_redis_share_a_usernames_failures()
    {
        var redis = SharedRedis.NextDatabase();
        await using var first = new SqliteStorefrontFactory();
        await using var second = new SqliteStorefrontFactory();
        foreach (var host in new[] { first, second })
            host.With("ConnectionStrings:Redis", redis).With("RateLimits:UsernameFailures", "2").With("RateLimits:UsernameWindowSeconds", "60");
        using var a = first.CreateClient();
        using var b = second.CreateClient();
        var name = TestAccounts.NewUsername();
        await (await TestAccounts.LoginAsync(a, name, "guess one")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        await (await TestAccounts.LoginAsync(b, name, "guess two")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        await (await TestAccounts.LoginAsync(a, name, "guess three")).ShouldBeProblemAsync(HttpStatusCode.TooManyRequests);
    }

    /// <summary>A client whose connections come from <paramref name="address"/> (a loopback address of its own).</summary>
    private static HttpClient From(SqliteStorefrontFactory host, string address)
    {
        using var probe = host.CreateClient();
        var server = probe.BaseAddress!;
        return new HttpClient(LoopbackAddresses.Handler(address)) { BaseAddress = server };
    }
}
