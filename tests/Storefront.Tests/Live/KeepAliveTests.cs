using System.Text;

namespace Storefront.Tests.Live;

/// <summary>The server's pings, seen on a hand-framed socket: ClientWebSocket answers them itself and shows nothing.</summary>
[ServerFree]
public sealed class KeepAliveTests(ConfiguredFactory<KeepAliveTests> factory) : ClientTests<ConfiguredFactory<KeepAliveTests>>(factory), IClassFixture<ConfiguredFactory<KeepAliveTests>>, IHostSettings
{
    /// <summary>Pings every second, to be answered within five: long enough for a test on a loaded machine to answer, short enough that a peer that never answers is found within seconds.</summary>
    public static IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["WebSockets:KeepAliveSeconds"] = "1",
        ["WebSockets:KeepAliveTimeoutSeconds"] = "5",
    };

    private static readonly TimeSpan FrameWait = TimeSpan.FromSeconds(30);



    [Theory]
    [InlineData("/ws")]
    [InlineData("/ws/stock")]
    public async Task The_server_pings_a_quiet_socket_and_one_that_answers_stays_open(string path)
    {
        await using var socket = await RawWebSocket.ConnectAsync(Client.BaseAddress!, path);
        var pings = 0;
        while (pings < 3)
        {
            var frame = await socket.ReadFrameAsync(FrameWait);
            Assert.True(frame is { Opcode: RawWebSocket.Ping }, $"expected a ping, got {Describe(frame)}");
            pings++;
            await socket.SendFrameAsync(RawWebSocket.Pong, frame.Payload);
        }

        // Three ping intervals later the socket still does its work.
        var (message, answer) = path == "/ws"
            ? ("still here", "Echo: still here")
            : ("""{"subscribe": [5]}""", """{"subscribed":[5]}""");
        await socket.SendFrameAsync(RawWebSocket.Text, Encoding.UTF8.GetBytes(message));
        while (true)
        {
            var frame = await socket.ReadFrameAsync(FrameWait);
            if (frame is { Opcode: RawWebSocket.Ping })
            {
                await socket.SendFrameAsync(RawWebSocket.Pong, frame.Payload);
                continue;
            }
            Assert.True(frame is { Opcode: RawWebSocket.Text }, $"expected the answer, got {Describe(frame)}");
            Assert.Equal(answer, frame.Text);
            break;
        }
    }

    [Fact]
    public async Task A_peer_that_never_answers_pings_is_dropped()
    {
        await using var socket = await RawWebSocket.ConnectAsync(Client.BaseAddress!, "/ws");
        var pings = 0;
        // Unanswered, the first ping's timeout ends the connection: only pings come before its end.
        while (await socket.ReadFrameAsync(FrameWait) is { } frame)
        {
            Assert.True(frame.Opcode == RawWebSocket.Ping, $"expected only pings before the drop, got {Describe(frame)}");
            pings++;
        }
        Assert.InRange(pings, 1, 10);
    }

    private static string Describe(RawWebSocket.Frame? frame) =>
        frame is null ? "the end of the connection" : $"opcode {frame.Opcode} \"{frame.Text}\"";
}
