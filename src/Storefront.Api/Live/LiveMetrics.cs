using System.Diagnostics.Metrics;

namespace Storefront.Api.Live;

/// <summary>
/// The sockets and the feed for /metrics. Per-message counts are plain fields read at scrape time: an echo round
/// trip costs two increments, not two instrument lookups.
/// </summary>
internal sealed class LiveMetrics
{
    /// <summary>The instrument names other features read (the dashboard), so they are spelled only here.</summary>
    public static class Names
    {
        public const string WebSocketsOpen = "storefront.websockets.open";
    }

    private readonly Counter<long> _refused;
    private readonly Counter<long> _closed;
    private readonly Counter<long> _published;
    private readonly Counter<long> _relayFailures;
    private readonly Histogram<double> _delivery;
    private long _echoIn, _echoOut, _stockIn, _stockOut, _coalesced, _dropped;

    public LiveMetrics(IMeterFactory meters, LiveSockets sockets)
    {
        var meter = meters.Create("Storefront.Live");
        meter.CreateObservableGauge(Names.WebSocketsOpen, () => new[]
        {
            new Measurement<int>(sockets.CountOf(LiveEndpoints.EchoPath), new KeyValuePair<string, object?>("endpoint", LiveEndpoints.EchoPath)),
            new Measurement<int>(sockets.CountOf(LiveEndpoints.StockPath), new KeyValuePair<string, object?>("endpoint", LiveEndpoints.StockPath)),
        }, null, "Open WebSockets by endpoint");
        meter.CreateObservableCounter("storefront.websockets.messages", () => new[]
        {
            Messages(_echoIn, LiveEndpoints.EchoPath, "in"), Messages(_echoOut, LiveEndpoints.EchoPath, "out"),
            Messages(_stockIn, LiveEndpoints.StockPath, "in"), Messages(_stockOut, LiveEndpoints.StockPath, "out"),
        }, null, "WebSocket messages by endpoint and direction (in: from clients)");
        _refused = meter.CreateCounter<long>("storefront.websockets.refused", null, "Upgrades refused before the handshake, by reason");
        _closed = meter.CreateCounter<long>("storefront.websockets.closed", null, "Sockets ended, by endpoint and reason");
        _published = meter.CreateCounter<long>("storefront.stock.published", null,
            "Stock changes handed to this instance's subscribers, by source (local: a write here; relayed: another instance's, via Redis)");
        meter.CreateObservableCounter("storefront.stock.coalesced", () => Volatile.Read(ref _coalesced), null,
            "Updates replaced by a newer one of the same item before a slow socket took them");
        meter.CreateObservableCounter("storefront.stock.dropped", () => Volatile.Read(ref _dropped), null,
            "Updates never sent: the socket fell too far behind (closed with 1013) or ended first");
        _relayFailures = meter.CreateCounter<long>("storefront.stock.relay.failures", null, "Changes that could not be published to Redis");
        _delivery = meter.CreateHistogram("storefront.stock.delivery.duration", "s",
            "From a change being published to its update being sent on a socket",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
    }

    public void MessageIn(string endpoint) => Interlocked.Increment(ref endpoint == LiveEndpoints.EchoPath ? ref _echoIn : ref _stockIn);

    public void MessageOut(string endpoint) => Interlocked.Increment(ref endpoint == LiveEndpoints.EchoPath ? ref _echoOut : ref _stockOut);

    public void Refused(string reason) => _refused.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Closed(string endpoint, string reason) =>
        _closed.Add(1, new KeyValuePair<string, object?>("endpoint", endpoint), new KeyValuePair<string, object?>("reason", reason));

    public void Published(string source) => _published.Add(1, new KeyValuePair<string, object?>("source", source));

    public void RelayFailed() => _relayFailures.Add(1);


    public void Coalesced() => Interlocked.Increment(ref _coalesced);

    public void Dropped(int count) => Interlocked.Add(ref _dropped, count);

    public void Delivered(TimeSpan latency)
    {
        Interlocked.Increment(ref _stockOut);
        _delivery.Record(Math.Max(0, latency.TotalSeconds));
    }

    private static Measurement<long> Messages(long value, string endpoint, string direction) =>
        new(value, new KeyValuePair<string, object?>("endpoint", endpoint), new KeyValuePair<string, object?>("direction", direction));
}
