using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Storefront.Bench;

namespace Storefront.WsLoad;

/// <summary>
/// N idle subscribers of one item on /ws/stock, then changes of that item posted to the signed inventory webhook one
/// at a time: each change waits until every subscriber got its push or the delivery timeout passed. A push's delivery
/// latency runs from just before its POST to the receipt of the whole message on that subscriber's socket. The first
/// --warmup-changes are sent and waited for the same way but not counted: the server's push path runs its first
/// 10,000 sends on unoptimised code (tiered JIT), which says nothing about the steady state.
/// </summary>
internal sealed class FanoutLoad : IDisposable
{
    // Closing is bounded: 10,000 sockets 1,000 at a time, 2 s each at most, even from a server that does not answer.
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);
    private const int CloseParallelism = 1000;
    private const int OpenParallelism = 200;   // sockets opened at once

    private readonly FanoutOptions options;
    // Change k sets in_stock to inStockBase + k: a push names its change, and no change repeats the item's value.
    private readonly int inStockBase = Random.Shared.Next(1, 900) * 1000;
    private readonly long[] postedAt;          // per change: the timestamp just before its POST, 0 until then
    private readonly long[][] receivedAt;      // per change, per subscriber: when its push arrived, 0 until then
    private readonly int[] delivered;          // per change
    private readonly TaskCompletionSource[] allDelivered;
    private readonly CancellationTokenSource stop = new();   // aborts the receive loops the close handshake left
    private volatile bool stopping;
    private int expected = int.MaxValue;       // subscribers when the changes began
    private int connectFailures, subscribeFailures, lostSockets, otherMessages;
    private long bytes;
    private string? firstError;

    public FanoutLoad(FanoutOptions options)
    {
        this.options = options;
        postedAt = new long[options.AllChanges];
        receivedAt = Enumerable.Range(0, options.AllChanges).Select(_ => new long[options.Subscribers]).ToArray();
        delivered = new int[options.AllChanges];
        allDelivered = Enumerable.Range(0, options.AllChanges)
            .Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
    }

    public async Task<FanoutSummary> RunAsync()
    {
        var opening = Stopwatch.StartNew();
        var subscribers = await SubscribeAllAsync();
        var connectS = Math.Round(opening.Elapsed.TotalSeconds, 2);
        var live = subscribers.Where(s => s is not null).Select(s => s!).ToArray();
        await Console.Error.WriteLineAsync($"{live.Length:N0} of {options.Subscribers:N0} subscribed to item {options.Item} " +
                                           $"in {connectS} s ({connectFailures:N0} not opened, {subscribeFailures:N0} not acknowledged)");
        var changes = new List<ChangeSummary>();
        var latencies = new List<double>(live.Length * options.Changes);
        var measuring = Stopwatch.StartNew();
        var cpuBefore = Environment.CpuUsage.TotalTime;
        if (live.Length > 0)
        {
            Volatile.Write(ref expected, live.Length);
            using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, UseCookies = false })
            { Timeout = options.DeliveryTimeout };
            for (var k = 0; k < options.AllChanges; k++)
            {
                if (k == options.WarmupChanges)
                {
                    measuring.Restart();
                    cpuBefore = Environment.CpuUsage.TotalTime;
                }
                var warmup = k < options.WarmupChanges;
                var (change, these) = await ChangeAsync(http, k, warmup);
                changes.Add(change);
                if (!warmup) latencies.AddRange(these);
            }
        }
        var durationS = measuring.Elapsed.TotalSeconds;
        // The client shares the machine with the server: its own CPU over the counted changes says what it took.
        var clientCpuS = (Environment.CpuUsage.TotalTime - cpuBefore).TotalSeconds;
        // The close handshake, so the server sees clients leaving rather than 10,000 broken connections.
        stopping = true;
        await Parallel.ForEachAsync(live, new ParallelOptions { MaxDegreeOfParallelism = CloseParallelism },
            async (s, _) => await Sockets.CloseAsync(s.Socket, CloseTimeout));
        await stop.CancelAsync();
        try
        {
            await Task.WhenAll(live.Select(s => s.Loop)).WaitAsync(CloseTimeout);
        }
        catch (TimeoutException)
        {
            // A loop still waiting on a socket the server never closed: the process ends anyway.
        }
        foreach (var s in live) s.Socket.Dispose();
        return Summary(live.Length, connectS, durationS, clientCpuS, changes, latencies);
    }

    // ------------------------------------------------------------------ subscribing

    private async Task<Subscriber?[]> SubscribeAllAsync()
    {
        var subscribers = new Subscriber?[options.Subscribers];
        var subscribe = Encoding.UTF8.GetBytes($"{{\"subscribe\": [{options.Item}]}}");
        using var giveUp = new CancellationTokenSource();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = OpenParallelism, CancellationToken = giveUp.Token };
        var opened = 0;
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, options.Subscribers), parallel, async (i, ct) =>
            {
                subscribers[i] = await SubscribeAsync(i, subscribe, ct);
                if (subscribers[i] is not null) Interlocked.Increment(ref opened);
                // A server without /ws/stock refuses every socket: say so after one batch, not after N refusals.
                else if (Volatile.Read(ref opened) == 0 && connectFailures + subscribeFailures >= OpenParallelism) giveUp.Cancel();
            });
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"gave up after {connectFailures + subscribeFailures:N0} failures and no subscriber");
        }
        return subscribers;
    }

    private async Task<Subscriber?> SubscribeAsync(int index, byte[] subscribe, CancellationToken ct)
    {
        ClientWebSocket socket;
        try
        {
            socket = await Sockets.ConnectAsync(options.Url, options.ConnectTimeout, ct);
        }
        catch (Exception e) when (e is WebSocketException or HttpRequestException or OperationCanceledException or IOException)
        {
            Interlocked.Increment(ref connectFailures);
            Note(e);
            return null;
        }
        var subscriber = new Subscriber(index, socket);
        subscriber.Loop = ReceiveLoopAsync(subscriber);
        try
        {
            await socket.SendAsync(subscribe, WebSocketMessageType.Text, endOfMessage: true, ct);
            await subscriber.Acknowledged.Task.WaitAsync(options.ConnectTimeout, ct);
            return subscriber;
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or TimeoutException)
        {
            Interlocked.Increment(ref subscribeFailures);
            Note(e is TimeoutException ? $"no {{\"subscribed\": ...}} answer within {options.ConnectTimeout.TotalSeconds} s" : Sockets.Describe(e));
            socket.Abort();
            socket.Dispose();
            return null;
        }
    }

    private async Task ReceiveLoopAsync(Subscriber subscriber)
    {
        var buffer = new MessageBuffer(256);
        try
        {
            while (true)
            {
                var length = await Sockets.ReceiveAsync(subscriber.Socket, buffer, stop.Token);
                var at = Stopwatch.GetTimestamp();
                if (length < 0) break;
                Interlocked.Add(ref bytes, length);
                Handle(subscriber, buffer.Bytes.AsSpan(0, length), at);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            if (!stopping) Note(e);
        }
        if (!stopping && subscriber.Acknowledged.Task.IsCompletedSuccessfully) Interlocked.Increment(ref lostSockets);
        subscriber.Acknowledged.TrySetException(new WebSocketException("the server closed the socket before acknowledging"));
    }

    private void Handle(Subscriber subscriber, ReadOnlySpan<byte> message, long at)
    {
        if (!TryRead(message, out var isAck, out var id, out var inStock))
        {
            Interlocked.Increment(ref otherMessages);
            return;
        }
        if (isAck)
        {
            subscriber.Acknowledged.TrySetResult();
            return;
        }
        var k = inStock - inStockBase;
        if (id != options.Item || k < 0 || k >= options.AllChanges || Volatile.Read(ref postedAt[k]) == 0)
        {
            Interlocked.Increment(ref otherMessages);
            return;
        }
        if (Interlocked.CompareExchange(ref receivedAt[k][subscriber.Index], at, 0) == 0 &&
            Interlocked.Increment(ref delivered[k]) >= Volatile.Read(ref expected))
        {
            allDelivered[k].TrySetResult();
        }
    }

    /// <summary>{"subscribed": [...]} is an acknowledgement; {"id": .., "in_stock": .., ...} a push; else false.</summary>
    private static bool TryRead(ReadOnlySpan<byte> message, out bool isAck, out int id, out long inStock)
    {
        isAck = false;
        id = 0;
        inStock = -1;
        var reader = new Utf8JsonReader(message);
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != 1) continue;
                if (reader.ValueTextEquals("subscribed"u8)) isAck = true;
                else if (reader.ValueTextEquals("id"u8) && reader.Read() && reader.TokenType == JsonTokenType.Number) reader.TryGetInt32(out id);
                else if (reader.ValueTextEquals("in_stock"u8) && reader.Read() && reader.TokenType == JsonTokenType.Number) reader.TryGetInt64(out inStock);
            }
        }
        catch (JsonException)
        {
            return false;
        }
        return isAck || (id != 0 && inStock >= 0);
    }

    // ------------------------------------------------------------------ changes

    private async Task<(ChangeSummary Change, List<double> LatenciesMs)> ChangeAsync(HttpClient http, int k, bool warmup)
    {
        var inStock = inStockBase + k;
        var body = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"{{\"id\": {options.Item}, \"in_stock\": {inStock}, \"event_id\": \"wsload-{Guid.NewGuid():N}\"}}"));
        using var request = new HttpRequestMessage(HttpMethod.Post, options.Webhook) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        // t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." and the body> (docs/api.md, "The inventory webhook").
        var t = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var signed = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{t}.")).Concat(body).ToArray();
        request.Headers.TryAddWithoutValidation("X-Signature-256", string.Create(CultureInfo.InvariantCulture,
            $"t={t},v1={Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(options.Secret), signed))}"));

        var posted = Stopwatch.GetTimestamp();
        Volatile.Write(ref postedAt[k], posted);
        var status = 0;
        try
        {
            using var response = await http.SendAsync(request);
            status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                var text = await response.Content.ReadAsStringAsync();
                Note($"the webhook answered {status}: {text[..Math.Min(text.Length, 200)]}");
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Note(e);
        }
        var postMs = Latency.Ms(posted, Stopwatch.GetTimestamp());
        if (status is >= 200 and < 300)
        {
            var left = options.DeliveryTimeout - Stopwatch.GetElapsedTime(posted);
            try
            {
                if (left > TimeSpan.Zero) await allDelivered[k].Task.WaitAsync(left);
            }
            catch (TimeoutException)
            {
                // Some pushes did not arrive in time: counted below as missed.
            }
        }
        // Only what arrived within the timeout counts; a later push is a missed one.
        var cutoff = posted + (long)(options.DeliveryTimeout.TotalSeconds * Stopwatch.Frequency);
        var these = new List<double>();
        foreach (var at in receivedAt[k])
        {
            if (at != 0 && at <= cutoff) these.Add(Latency.Ms(posted, at));
        }
        var summary = Latency.Summary(these);
        await Console.Error.WriteLineAsync($"{(warmup ? "warm-up change" : "change")} {k + 1}: POST {status} in {postMs:F1} ms, {these.Count:N0} of " +
                                           $"{expected:N0} delivered, p50 {summary["p50"]} p99 {summary["p99"]} max {summary["max"]} ms");
        return (new ChangeSummary(warmup, inStock, status, Math.Round(postMs, 3), these.Count, summary["p50"], summary["p99"],
            summary["max"]), these);
    }

    private FanoutSummary Summary(int subscribed, double connectS, double durationS, double clientCpuS, List<ChangeSummary> changes,
        List<double> latencies)
    {
        var expectedTotal = subscribed * options.Changes;
        var errors = LoadTool.Errors(connectFailures + subscribeFailures, lostSockets, 0,
            changes.Count(c => c.Status is < 200 or >= 300), expectedTotal - latencies.Count);
        return new FanoutSummary("fanout", options.Subscribers, subscribed, connectFailures, subscribeFailures, connectS,
            options.Changes, options.WarmupChanges, expectedTotal, latencies.Count, lostSockets, otherMessages, latencies.Count,
            Interlocked.Read(ref bytes), Math.Round(durationS, 3), Math.Round(clientCpuS, 3),
            durationS > 0 ? Math.Round(latencies.Count / durationS, 1) : 0, Latency.Summary(latencies), errors, changes,
            firstError);
    }

    public void Dispose() => stop.Dispose();

    private void Note(Exception e) => Note(Sockets.Describe(e));

    private void Note(string problem) => Interlocked.CompareExchange(ref firstError, problem, null);

    private sealed class Subscriber(int index, ClientWebSocket socket)
    {
        public int Index { get; } = index;
        public ClientWebSocket Socket { get; } = socket;
        public TaskCompletionSource Acknowledged { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Task Loop { get; set; } = Task.CompletedTask;
    }
}
