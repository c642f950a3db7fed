namespace Storefront.Api.Upstreams;

/// <summary>
/// The seed's semaphore with a bounded waiting room: up to MaxConcurrency calls in flight, up to QueueLimit
/// waiting, the rest refused at once. SemaphoreSlim's uncontended path allocates nothing, which matters at
/// three calls per product request.
/// </summary>
public sealed class Bulkhead(int maxConcurrency, int queueLimit) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(maxConcurrency, maxConcurrency);
    private readonly int _capacity = maxConcurrency + queueLimit;
    private int _entered;

    /// <returns>False when the bulkhead and its queue are full; otherwise true once a slot is held (call <see cref="Exit"/>).</returns>
    public async ValueTask<bool> EnterAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _entered) > _capacity)
        {
            Interlocked.Decrement(ref _entered);
            return false;
        }
        try
        {
            await _slots.WaitAsync(cancellationToken);
            return true;
        }
        catch
        {
            Interlocked.Decrement(ref _entered);
            throw;
        }
    }

    public void Exit()
    {
        _slots.Release();
        Interlocked.Decrement(ref _entered);
    }

    public void Dispose() => _slots.Dispose();
}
