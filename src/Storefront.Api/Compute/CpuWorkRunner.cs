using System.Collections.Concurrent;
using System.Diagnostics;

namespace Storefront.Api.Compute;

/// <summary>
/// CPU-bound work kept off the request threads: a bounded queue served by a fixed set of dedicated threads
/// (not thread-pool threads, so a burst of inference or password hashing can never starve the requests that only
/// wait on I/O).
/// Workers take up to MaxBatch queued items at once so a batch-capable model amortises its per-call cost.
/// A full queue rejects at once (back-pressure), an item whose caller gave up or whose deadline passed is
/// skipped, and nothing here blocks a thread-pool thread.
/// </summary>
public sealed class CpuWorkRunner<TIn, TOut> : ICpuWorkRunner, IDisposable
{
    public delegate void BatchWork(ReadOnlySpan<TIn> inputs, Span<TOut> outputs);

    private readonly BlockingCollection<WorkItem> _queue;
    private readonly Thread[] _threads;
    private readonly BatchWork _work;
    private readonly int _maxBatch;
    private readonly CancellationTokenSource _stopping = new();
    private long _completed, _rejected, _expired, _busy;
    private int _disposed;

    public CpuWorkRunner(string name, int threads, int queueCapacity, int maxBatch, BatchWork work)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(queueCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        Name = name;
        _work = work;
        _maxBatch = maxBatch;
        _queue = new BlockingCollection<WorkItem>(new ConcurrentQueue<WorkItem>(), queueCapacity);
        _threads = new Thread[threads];
        for (var i = 0; i < threads; i++)
        {
            _threads[i] = new Thread(Serve) { IsBackground = true, Name = $"{name}-worker-{i}" };
            _threads[i].Start();
        }
    }

    public string Name { get; }

    public int ThreadCount => _threads.Length;

    /// <summary>Items waiting for a worker.</summary>
    public int QueueLength => _queue.Count;

    /// <summary>
    /// The queue is full, so RunAsync would refuse an item now: lets a caller shed load before doing any work for it
    /// (a database lookup, reading a body). Only a hint, read without a lock; RunAsync still decides.
    /// </summary>
    public bool IsFull => _queue.Count >= _queue.BoundedCapacity;

    /// <summary>Workers running a batch right now.</summary>
    public long Busy => Interlocked.Read(ref _busy);

    public long Completed => Interlocked.Read(ref _completed);
    public long Rejected => Interlocked.Read(ref _rejected);
    public long Expired => Interlocked.Read(ref _expired);

    /// <exception cref="CpuSaturatedException">The queue is full.</exception>
    /// <exception cref="TimeoutException">The deadline passed before a worker finished it.</exception>
    /// <exception cref="OperationCanceledException">The caller gave up.</exception>
    public async Task<TOut> RunAsync(TIn input, TimeSpan deadline, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var item = new WorkItem(input, Stopwatch.GetTimestamp() + (long)(deadline.TotalSeconds * Stopwatch.Frequency));
        if (!_queue.TryAdd(item))
        {
            Interlocked.Increment(ref _rejected);
            throw new CpuSaturatedException(Name);
        }
        try
        {
            return await item.Completion.Task.WaitAsync(deadline, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            item.Abandon(); // A worker that reaches it later skips it.
            throw;
        }
    }

    /// <summary>Stops the workers; safe to call more than once (its owner and the container may both dispose it).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _stopping.Cancel();
        _queue.CompleteAdding();
        foreach (var thread in _threads) thread.Join(TimeSpan.FromSeconds(5));
        foreach (var left in _queue) left.Completion.TrySetCanceled();
        _queue.Dispose();
        _stopping.Dispose();
    }

    private void Serve()
    {
        var batch = new List<WorkItem>(_maxBatch);
        var inputs = new TIn[_maxBatch];
        var outputs = new TOut[_maxBatch];
        try
        {
            // A dedicated thread may block while it waits for work: that is what it is for.
            foreach (var first in _queue.GetConsumingEnumerable(_stopping.Token))
            {
                batch.Clear();
                Take(first, batch);
                while (batch.Count < _maxBatch && _queue.TryTake(out var next)) Take(next, batch);
                if (batch.Count > 0) RunBatch(batch, inputs, outputs);
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }

    private void Take(WorkItem item, List<WorkItem> batch)
    {
        if (item.IsAbandoned || Stopwatch.GetTimestamp() > item.Deadline)
        {
            Interlocked.Increment(ref _expired);
            item.Completion.TrySetException(new TimeoutException($"Queued too long for the {Name} workers."));
            return;
        }
        batch.Add(item);
    }

    private void RunBatch(List<WorkItem> batch, TIn[] inputs, TOut[] outputs)
    {
        Interlocked.Increment(ref _busy);
        try
        {
            for (var i = 0; i < batch.Count; i++) inputs[i] = batch[i].Input;
            _work(inputs.AsSpan(0, batch.Count), outputs.AsSpan(0, batch.Count));
            for (var i = 0; i < batch.Count; i++) batch[i].Completion.TrySetResult(outputs[i]);
            Interlocked.Add(ref _completed, batch.Count);
        }
        catch (Exception ex)
        {
            foreach (var item in batch) item.Completion.TrySetException(ex);
        }
        finally
        {
            Interlocked.Decrement(ref _busy);
            Array.Clear(inputs);
            Array.Clear(outputs);
        }
    }

    private sealed class WorkItem(TIn input, long deadline)
    {
        private int _abandoned;

        public TIn Input { get; } = input;
        public long Deadline { get; } = deadline;
        public TaskCompletionSource<TOut> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public bool IsAbandoned => Volatile.Read(ref _abandoned) == 1;

        public void Abandon() => Volatile.Write(ref _abandoned, 1);
    }
}
