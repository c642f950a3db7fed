using StackExchange.Redis;

namespace Storefront.Api.Data;

/// <summary>
/// One Redis pub/sub channel the instances share, on the process's one multiplexer. A message goes out as
/// "{instance} {payload}", and each instance hands on only the other instances' messages, in the order they were
/// published. The subscription is made once Redis answers: at startup, or, when Redis was down then, as soon as a
/// connection is restored; once made, the multiplexer renews it by itself after an outage or a failover. Pub/sub keeps
/// nothing, so a message sent while an instance is cut off never reaches it: each user says what that costs it.
/// </summary>
public sealed class RedisBroadcast(RedisConnection connection, string channel)
{
    private readonly RedisChannel _channel = RedisChannel.Literal(channel);
    private readonly string _instanceId = Guid.NewGuid().ToString("N");
    private int _subscribed;

    /// <summary>False without <c>ConnectionStrings__Redis</c>: there are no other instances to tell.</summary>
    public bool IsConfigured => connection.IsConfigured;

    /// <summary>
    /// Hands each payload another instance publishes to <paramref name="received"/>. Completes once the first attempt
    /// to subscribe has finished, whether or not Redis answered (at once without Redis); a failed attempt is reported
    /// to <paramref name="subscribeFailed"/> and tried again when the connection is restored.
    /// </summary>
    public Task ListenAsync(Action<string> received, Action<Exception>? subscribeFailed = null) =>
        connection.IsConfigured ? ListenCoreAsync(received, subscribeFailed) : Task.CompletedTask;

    /// <summary>
    /// Sends <paramref name="payload"/> to the other instances (the count of subscribers that got it, this one included);
    /// failures are the caller's to bound and count.
    /// </summary>
    public Task<long> PublishAsync(ConnectionMultiplexer multiplexer, string payload) =>
        multiplexer.GetSubscriber().PublishAsync(_channel, $"{_instanceId} {payload}");

    private async Task ListenCoreAsync(Action<string> received, Action<Exception>? subscribeFailed)
    {
        if (await connection.WhenStartedAsync() is not { } multiplexer) return;
        // Redis was down at startup: subscribe when it comes back. Once subscribed, the client resubscribes by itself.
        multiplexer.ConnectionRestored += (_, _) => _ = SubscribeAsync(multiplexer, received, subscribeFailed);
        await SubscribeAsync(multiplexer, received, subscribeFailed);
    }

    private async Task SubscribeAsync(ConnectionMultiplexer multiplexer, Action<string> received, Action<Exception>? subscribeFailed)
    {
        if (Volatile.Read(ref _subscribed) == 1 || !multiplexer.IsConnected) return;
        try
        {
            // A queue, not a handler: messages are handed on one at a time, in the order they were published.
            var queue = await multiplexer.GetSubscriber().SubscribeAsync(_channel);
            queue.OnMessage(message =>
            {
                var text = (string?)message.Message;
                var space = text?.IndexOf(' ', StringComparison.Ordinal) ?? -1;
                if (space > 0 && !text.AsSpan(0, space).SequenceEqual(_instanceId)) received(text![(space + 1)..]);
            });
            Volatile.Write(ref _subscribed, 1);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            // Redis went away meanwhile: ConnectionRestored tries again.
            subscribeFailed?.Invoke(ex);
        }
    }
}
