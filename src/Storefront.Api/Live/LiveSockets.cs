using System.Collections.Concurrent;
using System.Net.WebSockets;
using Storefront.Api.Diagnostics;

namespace Storefront.Api.Live;

/// <summary>
/// Every open socket of this instance: the capacity check before a handshake, the sweep (sends the client does not
/// take, idle sockets), and the close with 1001 when the service stops, once its drain is over (Kestrel's graceful
/// shutdown then waits for the handlers to end). New sockets are refused from the start of the drain: one accepted
/// then would be closed within seconds, and its client should reconnect to an instance that stays.
/// </summary>
internal enum Reservation
{
    Reserved,
    InstanceFull,
    ClientFull,
}

internal sealed class LiveSockets : IDisposable
{
    private readonly ConcurrentDictionary<LiveSocket, byte> _open = new();
    private readonly WebSocketsOptions _options;
    private readonly TimeProvider _time;
    private readonly ShutdownDrain _drain;
    private readonly CancellationToken _stopping;
    private readonly ITimer _sweep;
    private readonly ConcurrentDictionary<string, int> _perClient = new(StringComparer.Ordinal);
    private int _count;
    private int _subscriptions;

    public LiveSockets(IOptions<WebSocketsOptions> options, TimeProvider time, ShutdownDrain drain)
    {
        _options = options.Value;
        _time = time;
        _drain = drain;
        _stopping = drain.Stopping;
        _stopping.Register(CloseAll);
        // The send timeout is always on, so there is always a sweep. A quarter of the shortest timeout: a socket is
        // closed between 1x and 1.25x its limit, for one timer in all.
        var shortest = new[] { _options.IdleTimeoutSeconds, _options.UnsubscribedIdleSeconds, _options.SendTimeoutSeconds }.Where(s => s > 0).Min();
        var period = TimeSpan.FromSeconds(shortest) / 4;
        _sweep = time.CreateTimer(_ => Sweep(), null, period, period);
    }

    public int CountOf(string endpoint) => _open.Keys.Count(s => s.Endpoint == endpoint);

    /// <summary>Refusing new sockets: the instance is draining or stopped.</summary>
    public bool IsStopping => _drain.IsDraining;

    /// <summary>Takes a place for a socket of <paramref name="client"/> about to be accepted, unless the instance or the client is full.</summary>
    public Reservation TryReserve(string client)
    {
        if (Interlocked.Increment(ref _count) > _options.MaxConnections)
        {
            Interlocked.Decrement(ref _count);
            return Reservation.InstanceFull;
        }
        if (_perClient.AddOrUpdate(client, 1, (_, n) => n + 1) > _options.MaxConnectionsPerClient)
        {
            Release(client);
            return Reservation.ClientFull;
        }
        return Reservation.Reserved;
    }

    public void Release(string client)
    {
        Interlocked.Decrement(ref _count);
        // Removed at zero so the map holds only clients with sockets; a reservation racing the removal re-adds its own.
        if (_perClient.AddOrUpdate(client, 0, (_, n) => n - 1) <= 0) _perClient.TryRemove(new KeyValuePair<string, int>(client, 0));
    }

    /// <summary>Counts <paramref name="count"/> new subscriptions against WebSockets__MaxInstanceSubscriptions; false (nothing counted) past it.</summary>
    public bool TryAddSubscriptions(int count)
    {
        if (Interlocked.Add(ref _subscriptions, count) <= _options.MaxInstanceSubscriptions) return true;
        Interlocked.Add(ref _subscriptions, -count);
        return false;
    }

    public void RemoveSubscriptions(int count) => Interlocked.Add(ref _subscriptions, -count);

    public LiveSocket Add(WebSocket socket, string endpoint)
    {
        var live = new LiveSocket(socket, endpoint, _time, TimeSpan.FromSeconds(_options.CloseTimeoutSeconds));
        _open.TryAdd(live, 0);
        // The drain ended during the handshake, after CloseAll: this one gets its 1001 too.
        if (_stopping.IsCancellationRequested) _ = CloseForShutdownAsync(live);
        return live;
    }

    public void Remove(LiveSocket live) => _open.TryRemove(live, out _);

    private void CloseAll()
    {
        foreach (var live in _open.Keys) _ = CloseForShutdownAsync(live);
    }

    private static Task CloseForShutdownAsync(LiveSocket live) =>
        live.CloseAsync(WebSocketCloseStatus.EndpointUnavailable, "server shutting down", "shutdown");

    /// <summary>Drops sockets whose client stopped reading; closes idle ones.</summary>
    private void Sweep()
    {
        var limit = TimeSpan.FromSeconds(_options.IdleTimeoutSeconds);
        var unsubscribed = TimeSpan.FromSeconds(_options.UnsubscribedIdleSeconds);
        var send = TimeSpan.FromSeconds(_options.SendTimeoutSeconds);
        // The dictionary's own enumerator: Keys would copy every key first.
        foreach (var (live, _) in _open)
        {
            if (live.DropIfSendStuck(send)) continue;
            if (live.Endpoint == LiveEndpoints.EchoPath && _options.IdleTimeoutSeconds > 0 && live.Quiet >= limit)
                _ = live.CloseAsync(WebSocketCloseStatus.NormalClosure, "idle timeout", "idle");
            // A subscriber is quiet by design, but one that follows nothing holds a place for nothing.
            else if (live.Endpoint == LiveEndpoints.StockPath && _options.UnsubscribedIdleSeconds > 0 && live.Subscriptions == 0
                     && live.Quiet >= unsubscribed)
                _ = live.CloseAsync(WebSocketCloseStatus.NormalClosure, "idle: no subscriptions", "idle");
        }
    }

    public void Dispose() => _sweep.Dispose();
}
