namespace Storefront.Api.Data;

/// <summary>
/// SQLite allows one writer at a time, and its provider answers a busy database by retrying with a blocking sleep of
/// a thread-pool thread: a thousand concurrent write transactions would each sleep in turn. Hot write paths
/// (ordering) queue here instead, asynchronously, and begin their transaction once it is their turn. The embedded
/// store runs one instance, so an in-process queue is the whole queue; on PostgreSQL this is a no-op (row locks do it).
/// </summary>
public sealed class SqliteWriteGate(DatabaseProvider provider) : IDisposable
{
    private readonly SemaphoreSlim? _gate = provider.Kind == DatabaseKind.Sqlite ? new SemaphoreSlim(1, 1) : null;

    /// <summary>Waits for this instance's turn to write (at once on PostgreSQL); dispose the answer to hand it on.</summary>
    public async ValueTask<Turn> EnterAsync(CancellationToken cancellationToken)
    {
        if (_gate is null) return default;
        await _gate.WaitAsync(cancellationToken);
        return new Turn(_gate);
    }

    public void Dispose() => _gate?.Dispose();

    public readonly struct Turn(SemaphoreSlim? gate) : IDisposable
    {
        public void Dispose() => gate?.Release();
    }
}
