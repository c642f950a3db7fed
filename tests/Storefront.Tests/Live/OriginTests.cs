using System.Net.WebSockets;

namespace Storefront.Tests.Live;

/// <summary>Which pages may open a socket: checked on the upgrade, refused with 403 before the handshake.</summary>
[ServerFree]
public sealed class OriginTests(ConfiguredFactory<OriginTests> factory) : ClientTests<ConfiguredFactory<OriginTests>>(factory), IClassFixture<ConfiguredFactory<OriginTests>>, IHostSettings
{
    public const string Listed = "https://shop.example";

    /// <summary>One browser origin allowed besides the service's own.</summary>
    public static IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["WebSockets:AllowedOrigins:0"] = Listed,
    };



    [Theory]
    [InlineData("/ws", "https://evil.example")]
    [InlineData("/ws/stock", "https://evil.example")]
    [InlineData("/ws", "https://shop.example.evil.example")]
    [InlineData("/ws", "http://shop.example")] // Another scheme is another origin.
    public async Task An_upgrade_from_another_origin_is_refused_with_403(string path, string origin)
    {
        using var refused = await Client.SendAsync(WebSocketClient.UpgradeRequest(path, origin));
        var problem = await refused.ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        Assert.Contains(origin, problem.Detail, StringComparison.Ordinal);

        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("Origin", origin);
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(WebSocketClient.Address(Client.BaseAddress!, path), CancellationToken.None));
        Assert.Equal(HttpStatusCode.Forbidden, socket.HttpStatusCode);
    }

    [Fact]
    public async Task No_origin_the_services_own_origin_and_a_listed_origin_are_accepted()
    {
        var own = Client.BaseAddress!.GetLeftPart(UriPartial.Authority);
        foreach (var origin in new[] { null, own, Listed })
        {
            await using var socket = await WebSocketClient.ConnectAsync(Client.BaseAddress!, "/ws",
                options => { if (origin is not null) options.SetRequestHeader("Origin", origin); });
            await socket.SendTextAsync($"from {origin ?? "no origin"}");
            Assert.Equal($"Echo: from {origin ?? "no origin"}", await socket.ReceiveTextAsync());
        }
    }

    [Fact]
    public async Task A_star_allows_any_origin()
    {
        await using var open = new SqliteStorefrontFactory();
        open.With("WebSockets:AllowedOrigins:0", "*");
        using var client = open.CreateClient();
        await using var socket = await WebSocketClient.ConnectAsync(client.BaseAddress!, "/ws/stock",
            options => options.SetRequestHeader("Origin", "https://anywhere.example"));
        await socket.SendTextAsync("""{"subscribe": [3]}""");
        Assert.Equal("""{"subscribed":[3]}""", await socket.ReceiveTextAsync());
    }
}
