namespace Storefront.Api.Live;

/// <summary>Bounds on the WebSockets of /ws and /ws/stock (<c>WebSockets__*</c>).</summary>
public sealed class WebSocketsOptions
{
    public const string Section = "WebSockets";

    /// <summary>Largest message a client may send, in bytes of UTF-8 (close 1009 past it).</summary>
    [Range(16, 16 * 1024 * 1024)]
    public int MaxMessageBytes { get; set; } = 64 * 1024;

    /// <summary>Most open sockets per instance, both endpoints together; beyond it the upgrade is refused with 503.</summary>
    [Range(1, 1_000_000)]
    public int MaxConnections { get; set; } = 20_000;

    /// <summary>
    /// Most open sockets one client address may hold on an instance (behind a trusted proxy, the forwarded address; an
    /// IPv6 client by its /64); past it the upgrade is refused with 429. One client cannot take every place.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxConnectionsPerClient { get; set; } = 64;

    /// <summary>How often the server pings each socket, so proxies keep it open and dead peers are found.</summary>
    [Range(1, 3600)]
    public int KeepAliveSeconds { get; set; } = 20;

    /// <summary>How long a ping may go unanswered before the socket is dropped.</summary>
    [Range(1, 3600)]
    public int KeepAliveTimeoutSeconds { get; set; } = 20;

    /// <summary>/ws only: a socket with no message from its client for this long is closed (1000); 0 turns it off.
    /// /ws/stock subscribers are quiet by design and only kept honest by the pings.</summary>
    [Range(0, 86_400)]
    public int IdleTimeoutSeconds { get; set; } = 300;

    /// <summary>
    /// Browser origins allowed to open a socket, e.g. <c>https://shop.example</c>; <c>*</c> allows any. Empty (the
    /// default): only requests without an Origin (non-browser clients) or from the service's own origin.
    /// </summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>/ws/stock: most item ids one socket may follow.</summary>
    [Range(1, 100_000)]
    public int MaxSubscriptions { get; set; } = 1_000;

    /// <summary>/ws/stock: most (socket, item) subscriptions on an instance, all sockets together: memory stays bounded.</summary>
    [Range(1, 100_000_000)]
    public int MaxInstanceSubscriptions { get; set; } = 1_000_000;

    /// <summary>
    /// /ws/stock: a socket that follows no item and has sent nothing for this long is closed (1000, "idle: no
    /// subscriptions"): it holds a place for nothing. 0 turns it off.
    /// </summary>
    [Range(0, 86_400)]
    public int UnsubscribedIdleSeconds { get; set; } = 60;

    /// <summary>
    /// /ws/stock: most distinct items waiting to be sent to one socket. Updates of an item already waiting replace it
    /// (only the latest matters); a socket that falls further behind is closed with 1013.
    /// </summary>
    [Range(1, 100_000)]
    public int SendQueueLimit { get; set; } = 256;

    /// <summary>
    /// A send that the client does not take within this time means it stopped reading: the socket is dropped (by a
    /// sweep every quarter of this time, so at most 1.25 times it after the send began).
    /// </summary>
    [Range(1, 3600)]
    public int SendTimeoutSeconds { get; set; } = 10;

    /// <summary>After the server sends a close frame, how long it waits for the client's before dropping the socket.</summary>
    [Range(1, 600)]
    public int CloseTimeoutSeconds { get; set; } = 5;
}
