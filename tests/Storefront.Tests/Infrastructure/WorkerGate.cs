namespace Storefront.Tests.Infrastructure;

/// <summary>Holds a worker inside its work until released, and tells the test when a worker got there.</summary>
internal sealed class WorkerGate : IDisposable
{
    private readonly ManualResetEventSlim _open = new(false);
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Entered => _entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

    public void Hold()
    {
        _entered.TrySetResult();
        _open.Wait(TimeSpan.FromSeconds(30));
    }

    public void Release() => _open.Set();

    public void Dispose() => _open.Dispose();
}
