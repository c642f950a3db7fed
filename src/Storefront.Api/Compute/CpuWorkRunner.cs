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
/// fixed capacity (a worker takes its whole batch under one acquisition), no timer per item, and a sleeping worker
/// woken only when no worker is awake or the queue holds more than the awake ones take in their next batches: a
/// worker that finishes a batch looks at the queue before it sleeps, so under load the items that arrive meanwhile
/// make its next batch instead of each waking another thread (an item waits at most for the batch in progress).
/// Deadlines are checked when a worker takes an item, and for items still waiting or stuck in a batch by one coarse
/// timer per runner (<see cref="SweepPeriod"/>), armed only while items are in flight.
/// The way back is one thread-pool work item per batch, not one per item: a worker hands its finished batch to the
/// pool at once, and the pool thread that picks it up completes the items one after the other, each caller's
/// continuation running there inline. Completed one by one, each item would queue its caller's continuation on the
/// pool and each of those could wake a pool thread, a cost of the same order as the hop itself. Callers never
/// continue on a worker: only the pool, the sweeper (a timer, on the pool) and the caller's own token complete an item.
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

    /// <summary>Workers asleep and not yet woken; the tests read it to see which items woke one.</summary>
    internal int SleepingWorkers
    {
        get { lock (_gate) return _sleeping; }
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
            if (_sleeping > 0 && (_sleeping == _threads.Length || _count > (_threads.Length - _sleeping) * _maxBatch))
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
        var left = new List<WorkItem>();
        lock (_gate)
        {
            while (_count > 0) left.Add(Dequeue()!);
        }
        // Outside the lock: their callers' continuations run here.
        foreach (var item in left) item.TrySetCanceled();
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
                WorkItem? done = null;
                var live = 0;
                for (var i = 0; i < taken; i++)
                {
                    var item = batch[i]!;
                    batch[i] = null;
                    if (!Skip(item, ref done)) batch[live++] = item;
                }
                if (done is not null)
                {
                    // Expired callers are told now, not after the batch.
                    ThreadPool.UnsafeQueueUserWorkItem(done, preferLocal: false);
                    done = null;
                }
                if (live > 0) RunBatch(batch, live, inputs, outputs, ref done);
                if (done is not null) ThreadPool.UnsafeQueueUserWorkItem(done, preferLocal: false);
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

    /// <summary>
    /// True for an item not to compute: its caller left, the sweeper already failed it, or its deadline passed (then it
    /// joins <paramref name="done"/> to be failed on the pool).
    /// </summary>
    private bool Skip(WorkItem item, ref WorkItem? done)
    {
        if (!item.Task.IsCompleted && Stopwatch.GetTimestamp() <= item.Deadline) return false;
        Interlocked.Increment(ref _expired);
        if (!item.Task.IsCompleted) item.Finish(default!, TimedOut(), ref done);
        return true;
    }

    /// <summary>Computes a batch and chains its items, each with its result or the batch's error, onto <paramref name="done"/>.</summary>
    private void RunBatch(WorkItem?[] batch, int count, TIn[] inputs, TOut[] outputs, ref WorkItem? done)
    {
        try
        {
            for (var i = 0; i < count; i++) inputs[i] = batch[i]!.Input;
            Exception? error = null;
            try
            {
                _work(inputs.AsSpan(0, count), outputs.AsSpan(0, count));
                Interlocked.Add(ref _completed, count);
            }
            catch (Exception ex)
            {
                error = ex;
            }
            // Backwards, so the chain completes the items in the order they were queued.
            for (var i = count - 1; i >= 0; i--) batch[i]!.Finish(error is null ? outputs[i] : default!, error, ref done);
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

    /// <summary>
    /// One queued call: its own task, completed by the pool after its batch, by the sweeper or by the caller's token,
    /// whichever is first. Continuations run inline (no <see cref="TaskCreationOptions.RunContinuationsAsynchronously"/>):
    /// the pool thread that completes a batch runs its callers' continuations itself instead of queueing each one again,
    /// and a worker never completes an item, so no caller ever continues on a worker.
    /// </summary>
    private sealed class WorkItem(TIn input, long deadline) : TaskCompletionSource<TOut>, IThreadPoolWorkItem
    {
        private CancellationTokenRegistration _caller;
        private TOut _output = default!;
        private Exception? _error;
        // The next item of the same finished batch.
        private WorkItem? _next;

        public TIn Input { get; } = input;
        public long Deadline { get; } = deadline;

        public void Watch(CancellationToken cancellationToken)
        {
            if (!cancellationToken.CanBeCanceled) return;
            _caller = cancellationToken.UnsafeRegister(static (state, token) => ((WorkItem)state!).TrySetCanceled(token), this);
        }

        /// <summary>Records the outcome on a worker and puts the item at the head of <paramref name="done"/>; the pool completes it.</summary>
        public void Finish(TOut output, Exception? error, ref WorkItem? done)
        {
            _output = output;
            _error = error;
            _next = done;
            done = this;
        }

        /// <summary>On a pool thread: completes this item and the rest of its batch, each caller's continuation inline.</summary>
        void IThreadPoolWorkItem.Execute()
        {
            for (var item = this; item is not null;)
            {
                var next = item._next;
                item._next = null;
                // Before completing: the continuation may finish the request, and the caller's token be reused after it.
                item._caller.Unregister();
                if (item._error is null) item.TrySetResult(item._output);
                else item.TrySetException(item._error);
                item._output = default!;
                item = next;
            }
        }

        /// <summary>Fails the item on the calling thread (never a worker's: the sweeper's, or the caller's before it awaits).</summary>
        public void Fail(Exception ex)
        {
            _caller.Unregister();
            TrySetException(ex);
        }
    }
}
