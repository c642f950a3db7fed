using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using Storefront.Bench;

namespace Storefront.WsLoad;

/// <summary>
/// Closed loop on GET /ws: every connection sends a short text message and waits for "Echo: " + it before sending
/// the next, as a wrk connection waits for its response. A round trip counts when it starts after the warm-up and
/// ends within the window; a connection that fails is opened again (after a short pause) until the window ends.
/// </summary>
internal static class EchoLoad
{
    public static async Task<EchoSummary> RunAsync(EchoOptions options)
    {
        var started = Stopwatch.GetTimestamp();
        var window = new Window(started + Ticks(options.Warmup), started + Ticks(options.Warmup + options.Seconds));
        var marks = MarkAsync(window);
        var connections = Enumerable.Range(0, options.Connections).Select(i => new EchoConnection(i, options, window)).ToArray();
        await Task.WhenAll(connections.Select(c => c.RunAsync()));
        await marks;
        return EchoSummary.Of(connections, options);
    }

    // scripts/bench reads the server's CPU between these two lines: not over the warm-up, nor the closing.
    private static async Task MarkAsync(Window window)
    {
        await Task.Delay(Until(window.From));
        Console.WriteLine("WINDOW_START");
        await Task.Delay(Until(window.To));
        Console.WriteLine("WINDOW_END");
    }

    private static TimeSpan Until(long timestamp)
    {
        var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp);
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    private static long Ticks(double seconds) => (long)(seconds * Stopwatch.Frequency);
}

internal readonly record struct Window(long From, long To)
{
    public bool Counts(long start, long end) => start >= From && end <= To;

    public bool Started => Stopwatch.GetTimestamp() >= From;
}

internal sealed class EchoConnection(int index, EchoOptions options, Window window)
{
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);

    // The same message every time (one round trip in flight per connection): no allocation per message.
    private readonly byte[] message = Encoding.UTF8.GetBytes($"ping from connection {index}");
    private readonly byte[] expected = Encoding.UTF8.GetBytes($"Echo: ping from connection {index}");
    private readonly MessageBuffer buffer = new(256);

    public List<double> LatenciesMs { get; } = new(4096);
    public int RoundTrips { get; private set; }
    public long Bytes { get; private set; }
    public int WrongAnswers { get; private set; }
    public int ConnectErrors { get; private set; }
    public int ReadErrors { get; private set; }
    public int WriteErrors { get; private set; }
    public int Timeouts { get; private set; }
    public string? FirstError { get; private set; }

    public async Task RunAsync()
    {
        while (Stopwatch.GetTimestamp() < window.To)
        {
            ClientWebSocket socket;
            try
            {
                socket = await Sockets.ConnectAsync(options.Url, options.Timeout, CancellationToken.None);
            }
            catch (Exception e) when (e is WebSocketException or HttpRequestException or OperationCanceledException or IOException)
            {
                if (window.Started) ConnectErrors++;
                Note(e);
                await Task.Delay(RetryPause);
                continue;
            }
            using (socket)
            {
                await RoundTripsAsync(socket);
                await Sockets.CloseAsync(socket, CloseTimeout);
            }
        }
    }

    private async Task RoundTripsAsync(ClientWebSocket socket)
    {
        using var deadline = new CancellationTokenSource();
        while (true)
        {
            var sent = Stopwatch.GetTimestamp();
            if (sent >= window.To) return;
            deadline.CancelAfter(options.Timeout);
            int length;
            try
            {
                await socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, deadline.Token);
            }
            catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException)
            {
                Failed(e, writing: true);
                return;
            }
            try
            {
                length = await Sockets.ReceiveAsync(socket, buffer, deadline.Token);
            }
            catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException)
            {
                Failed(e, writing: false);
                return;
            }
            var answered = Stopwatch.GetTimestamp();
            if (length < 0)
            {
                if (window.Started) ReadErrors++;
                FirstError ??= "the server closed the connection";
                return;
            }
            if (!window.Counts(sent, answered)) continue;
            RoundTrips++;
            Bytes += length;
            if (buffer.Bytes.AsSpan(0, length).SequenceEqual(expected)) LatenciesMs.Add(Latency.Ms(sent, answered));
            else
            {
                WrongAnswers++;
                FirstError ??= $"answered '{Encoding.UTF8.GetString(buffer.Bytes, 0, Math.Min(length, 120))}' " +
                               $"to '{Encoding.UTF8.GetString(message)}'";
            }
        }
    }

    private void Note(Exception e) => FirstError ??= Sockets.Describe(e);

    /// <summary>Counts a failed send or receive (a cancelled one is a timeout), once the window has started.</summary>
    private void Failed(Exception e, bool writing)
    {
        if (window.Started)
        {
            if (e is OperationCanceledException) Timeouts++;
            else if (writing) WriteErrors++;
            else ReadErrors++;
        }
        Note(e);
    }
}
