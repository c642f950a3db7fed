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
/// <remarks>
/// The hand-off is what a cheap item pays for besides its work, so it is kept small: one lock around a ring of
/// fixed capacity (a worker takes its whole batch under one acquisition), a worker woken only when one sleeps, and
/// no timer per item. Deadlines are checked when a worker takes an item, and for items still waiting or stuck in a
/// batch by one coarse timer per runner (<see cref="SweepPeriod"/>), armed only while items are in flight.
/// </remarks>
public sealed class CpuWorkRunner<TIn, TOut> : ICpuWorkRunner, IDisposable
{
    /// <summary>How late past its deadline an item that no worker reached (or whose batch is stuck) may be failed.</summary>
    public static readonly TimeSpan SweepPeriod = TimeSpan.FromMilliseconds(10);

    /// <summary>Whether the sweeper is armed (items in flight); the tests wait for it to stop.</summary>
    internal bool IsSweeping
    {
        get { lock (_gate) return _sweeperArmed; }
    }

    public delegate void BatchWork(ReadOnlySpan<TIn> inputs, Span<TOut> outputs);

    // Guards the ring, _sleeping, _stopping and _sweeperArmed; idle workers wait on it (Monitor), which a dedicated thread may do.
    private readonly object _gate = new();
    private readonly WorkItem?[] _ring;
    private int _head, _count, _sleeping;
    private bool _stopping;

    private readonly Thread[] _threads;
    // Each worker's batch in progress, read by the sweeper to fail items whose batch overruns their deadline.
    private readonly WorkItem?[][] _batches;
    private readonly BatchWork _work;
    private readonly int _maxBatch;
    private readonly Timer _sweeper;
    private bool _sweeperArmed;
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
        _ring = new WorkItem?[queueCapacity];
        _sweeper = new Timer(static state => ((CpuWorkRunner<TIn, TOut>)state!).Sweep(), this, Timeout.Infinite, Timeout.Infinite);
        _batches = new WorkItem?[threads][];
        _threads = new Thread[threads];
        for (var i = 0; i < threads; i++)
        {
            _batches[i] = new WorkItem?[maxBatch];
            _threads[i] = new Thread(Serve) { IsBackground = true, Name = $"{name}-worker-{i}" };
            _threads[i].Start(i);
        }
    }

    public string Name { get; }

    public int ThreadCount => _threads.Length;

    /// <summary>Items waiting for a worker.</summary>
    public int QueueLength => Volatile.Read(ref _count);

    /// <summary>
    /// The queue is full, so RunAsync would refuse an item now: lets a caller shed load before doing any work for it
    /// (a database lookup, reading a body). Only a hint, read without a lock; RunAsync still decides.
    /// </summary>
    public bool IsFull => Volatile.Read(ref _count) >= _ring.Length;

    /// <summary>Workers running a batch right now.</summary>
    public long Busy => Interlocked.Read(ref _busy);

    public long Completed => Interlocked.Read(ref _completed);
    public long Rejected => Interlocked.Read(ref _rejected);
    public long Expired => Interlocked.Read(ref _expired);

    /// <exception cref="CpuSaturatedException">The queue is full.</exception>
    /// <exception cref="TimeoutException">The deadline passed before a worker finished it.</exception>
    /// <exception cref="OperationCanceledException">The caller gave up.</exception>
    public Task<TOut> RunAsync(TIn input, TimeSpan deadline, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled<TOut>(cancellationToken);
        var item = new WorkItem(input, Stopwatch.GetTimestamp() + (long)(deadline.TotalSeconds * Stopwatch.Frequency));
        item.Watch(cancellationToken);
        bool arm;
        lock (_gate)
        {
            if (_stopping || _count == _ring.Length)
            {
                Interlocked.Increment(ref _rejected);
                item.Fail(new CpuSaturatedException(Name));
                return item.Task;
            }
            _ring[(_head + _count) % _ring.Length] = item;
            _count++;
            if (_sleeping > 0)
            {
                _sleeping--;
                Monitor.Pulse(_gate);
            }
            arm = !_sweeperArmed;
            _sweeperArmed = true;
        }
        if (arm) ArmSweeper();
        return item.Task;
    }

    /// <summary>Stops the workers; safe to call more than once (its owner and the container may both dispose it).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        lock (_gate)
        {
            _stopping = true;
            Monitor.PulseAll(_gate);
        }
        foreach (var thread in _threads) thread.Join(TimeSpan.FromSeconds(5));
        _sweeper.Dispose();
        lock (_gate)
        {
            while (_count > 0) Dequeue()?.TrySetCanceled();
        }
    }

    private void Serve(object? index)
    {
        var batch = _batches[(int)index!];
        var inputs = new TIn[_maxBatch];
        var outputs = new TOut[_maxBatch];
        while (true)
        {
            var taken = 0;
            lock (_gate)
            {
                while (_count == 0 && !_stopping)
                {
                    _sleeping++; // The producer that wakes this worker takes it off the count.
                    Monitor.Wait(_gate);
                }
                if (_stopping) return;
                while (taken < _maxBatch && _count > 0) batch[taken++] = Dequeue();
                // Counted busy before the lock is released, so the sweeper never sees the batch as neither queued nor busy.
                Interlocked.Increment(ref _busy);
            }
            try
            {
                var live = 0;
                for (var i = 0; i < taken; i++)
                {
                    var item = batch[i]!;
                    batch[i] = null;
                    if (!Skip(item)) batch[live++] = item;
                }
                if (live > 0) RunBatch(batch, live, inputs, outputs);
            }
            finally
            {
                Interlocked.Decrement(ref _busy);
            }
        }
    }

    private WorkItem? Dequeue()
    {
        var item = _ring[_head];
        _ring[_head] = null;
        _head = (_head + 1) % _ring.Length;
        _count--;
        return item;
    }

    /// <summary>True for an item not to compute: its caller left, the sweeper already failed it, or its deadline passed.</summary>
    private bool Skip(WorkItem item)
    {
        if (!item.Task.IsCompleted && Stopwatch.GetTimestamp() <= item.Deadline) return false;
        Interlocked.Increment(ref _expired);
        item.Fail(TimedOut());
        return true;
    }

    private void RunBatch(WorkItem?[] batch, int count, TIn[] inputs, TOut[] outputs)
    {
        try
        {
            for (var i = 0; i < count; i++) inputs[i] = batch[i]!.Input;
            _work(inputs.AsSpan(0, count), outputs.AsSpan(0, count));
            for (var i = 0; i < count; i++) batch[i]!.Succeed(outputs[i]);
            Interlocked.Add(ref _completed, count);
        }
        catch (Exception ex)
        {
            for (var i = 0; i < count; i++) batch[i]!.Fail(ex);
        }
        finally
        {
            Array.Clear(batch);
            Array.Clear(inputs);
            Array.Clear(outputs);
        }
    }

    /// <summary>
    /// The coarse timer: fails the items whose deadline passed while they waited or while their batch ran (a worker
    /// that reaches a failed item later skips it), and re-arms itself while anything is in flight. Arming and
    /// disarming happen under the queue's lock, so an item queued as the timer stops always re-arms it.
    /// </summary>
    private void Sweep()
    {
        var now = Stopwatch.GetTimestamp();
        List<WorkItem>? late = null;
        bool again;
        lock (_gate)
        {
            for (var i = 0; i < _count; i++)
            {
                var item = _ring[(_head + i) % _ring.Length]!;
                if (now > item.Deadline && !item.Task.IsCompleted) (late ??= []).Add(item);
            }
            again = !_stopping && (_count > 0 || Interlocked.Read(ref _busy) > 0);
            _sweeperArmed = again;
        }
        foreach (var batch in _batches)
        {
            for (var i = 0; i < batch.Length; i++)
            {
                if (Volatile.Read(ref batch[i]) is { } item && now > item.Deadline && !item.Task.IsCompleted) (late ??= []).Add(item);
            }
        }
        if (late is not null)
        {
            foreach (var item in late) item.Fail(TimedOut());
        }
        if (again) ArmSweeper();
    }

    private void ArmSweeper()
    {
        try
        {
            _sweeper.Change(SweepPeriod, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // Disposed meanwhile: the items left are cancelled by Dispose.
        }
    }

    private TimeoutException TimedOut() => new($"Queued too long for the {Name} workers.");

    /// <summary>One queued call: its own task, completed by a worker, the sweeper or the caller's token, whichever is first.</summary>
    private sealed class WorkItem(TIn input, long deadline) : TaskCompletionSource<TOut>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        private CancellationTokenRegistration _caller;

        public TIn Input { get; } = input;
        public long Deadline { get; } = deadline;

        public void Watch(CancellationToken cancellationToken)
        {
            if (!cancellationToken.CanBeCanceled) return;
            _caller = cancellationToken.UnsafeRegister(static (state, token) => ((WorkItem)state!).TrySetCanceled(token), this);
        }

        public void Succeed(TOut output)
        {
            TrySetResult(output);
            _caller.Unregister();
        }

        public void Fail(Exception ex)
        {
            TrySetException(ex);
            _caller.Unregister();
        }
    }
}
