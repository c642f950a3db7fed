using System.Collections.Concurrent;
using System.Net.WebSockets;
using Microsoft.Extensions.Options;
using Storefront.Api.Diagnostics;

namespace Storefront.Api.Live;

/// <summary>
/// Every open socket of this instance: the capacity check before a handshake, the idle sweep of /ws, and the
/// close with 1001 when the service stops, once its drain is over (Kestrel's graceful shutdown then waits for the
/// handlers to end). New sockets are refused from the start of the drain: one accepted then would be closed within
/// seconds, and its client should reconnect to an instance that stays.
/// </summary>
internal sealed class LiveSockets : IDisposable
{
    private readonly ConcurrentDictionary<LiveSocket, byte> _open = new();
    private readonly WebSocketsOptions _options;
    private readonly TimeProvider _time;
    private readonly ShutdownDrain _drain;
    private readonly CancellationToken _stopping;
    private readonly ITimer? _idleSweep;
    private int _count;

    public LiveSockets(IOptions<WebSocketsOptions> options, TimeProvider time, ShutdownDrain drain)
    {
        _options = options.Value;
        _time = time;
        _drain = drain;
        _stopping = drain.Stopping;
        _stopping.Register(CloseAll);
        if (_options.IdleTimeoutSeconds > 0)
        {
            // A quarter of the timeout: a socket is closed between 1x and 1.25x its idle time, for one timer in all.
            var period = TimeSpan.FromSeconds(_options.IdleTimeoutSeconds) / 4;
            _idleSweep = time.CreateTimer(_ => SweepIdle(), null, period, period);
        }
    }

    public int CountOf(string endpoint) => _open.Keys.Count(s => s.Endpoint == endpoint);

    /// <summary>Refusing new sockets: the instance is draining or stopped.</summary>
    public bool IsStopping => _drain.IsDraining;

    /// <summary>Takes a place for a socket about to be accepted; false when the instance is full.</summary>
    public bool TryReserve()
    {
        if (Interlocked.Increment(ref _count) <= _options.MaxConnections) return true;
        Interlocked.Decrement(ref _count);
        return false;
    }

    public void Release() => Interlocked.Decrement(ref _count);

    public LiveSocket Add(WebSocket socket, string endpoint)
    {
        var live = new LiveSocket(socket, endpoint, _time,
            TimeSpan.FromSeconds(_options.SendTimeoutSeconds), TimeSpan.FromSeconds(_options.CloseTimeoutSeconds));
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

    private void SweepIdle()
    {
        var limit = TimeSpan.FromSeconds(_options.IdleTimeoutSeconds);
        foreach (var live in _open.Keys)
        {
            if (live.Endpoint == LiveEndpoints.EchoPath && live.Quiet >= limit)
                _ = live.CloseAsync(WebSocketCloseStatus.NormalClosure, "idle timeout", "idle");
        }
    }

    public void Dispose() => _idleSweep?.Dispose();
}
