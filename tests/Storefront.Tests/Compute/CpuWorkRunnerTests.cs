using Storefront.Api.Compute;

namespace Storefront.Tests.Compute;

/// <summary>The runner's own rules, with plain functions standing in for a model.</summary>
[ServerFree]
public sealed class CpuWorkRunnerTests
{
    [Fact]
    public async Task Work_runs_on_the_runners_own_threads_not_the_thread_pool()
    {
        using var runner = new CpuWorkRunner<int, bool>("test", threads: 2, queueCapacity: 16, maxBatch: 4,
            (inputs, outputs) => outputs.Fill(Thread.CurrentThread.IsThreadPoolThread));
        var onPool = await runner.RunAsync(1, TimeSpan.FromSeconds(10), CancellationToken.None);
        Assert.False(onPool);
    }

    [Fact]
    public async Task Callers_continue_on_the_thread_pool_never_on_a_worker()
    {
        // A finished batch goes back to the pool as one work item whose thread runs the callers' continuations inline.
        using var runner = new CpuWorkRunner<int, int>("test", threads: 2, queueCapacity: 64, maxBatch: 8, (inputs, outputs) =>
            inputs.CopyTo(outputs));
        var where = await Task.WhenAll(Enumerable.Range(0, 64).Select(async i =>
        {
            Assert.Equal(i, await runner.RunAsync(i, TimeSpan.FromSeconds(30), CancellationToken.None));
            return (Thread.CurrentThread.IsThreadPoolThread, Thread.CurrentThread.Name);
        }));
        Assert.All(where, w => Assert.True(w.IsThreadPoolThread, $"continued on {w.Name}"));
    }

    [Fact]
    public async Task Items_queued_while_a_worker_runs_make_its_next_batch_instead_of_waking_another()
    {
        var batches = new System.Collections.Concurrent.ConcurrentQueue<(string? Worker, int Size)>();
        using var gate = new WorkerGate();
        using var runner = new CpuWorkRunner<int, int>("test", threads: 2, queueCapacity: 64, maxBatch: 8, (inputs, outputs) =>
        {
            batches.Enqueue((Thread.CurrentThread.Name, inputs.Length));
            gate.Hold();
            inputs.CopyTo(outputs);
        });
        var first = runner.RunAsync(0, TimeSpan.FromSeconds(30), CancellationToken.None);
        await gate.Entered;
        await Eventually.TrueAsync(() => runner.SleepingWorkers == 1, TimeSpan.FromSeconds(30), "the other worker asleep");
        var rest = Enumerable.Range(1, 5).Select(i => runner.RunAsync(i, TimeSpan.FromSeconds(30), CancellationToken.None)).ToArray();
        // A wake-up takes the worker off the count inside RunAsync, so none happened if it is still asleep now.
        Assert.Equal(1, runner.SleepingWorkers);
        Assert.Equal(5, runner.QueueLength);
        gate.Release();
        Assert.Equal(0, await first);
        Assert.Equal(Enumerable.Range(1, 5), await Task.WhenAll(rest));
        Assert.Equal("1,5", string.Join(',', batches.Select(b => b.Size)));
        Assert.Single(batches.Select(b => b.Worker).Distinct());
    }

    [Fact]
    public async Task Queued_items_are_batched_and_each_gets_its_own_result()
    {
        var batchSizes = new System.Collections.Concurrent.ConcurrentBag<int>();
        using var gate = new WorkerGate();
        using var runner = new CpuWorkRunner<int, int>("test", threads: 1, queueCapacity: 100, maxBatch: 16, (inputs, outputs) =>
        {
            gate.Hold(); // Hold the first batch so the rest pile up in the queue.
            batchSizes.Add(inputs.Length);
            for (var i = 0; i < inputs.Length; i++) outputs[i] = inputs[i] * 10;
        });
        var first = runner.RunAsync(0, TimeSpan.FromSeconds(30), CancellationToken.None);
        await gate.Entered;
        var rest = Enumerable.Range(1, 40).Select(i => runner.RunAsync(i, TimeSpan.FromSeconds(30), CancellationToken.None)).ToArray();
        gate.Release();
        Assert.Equal(0, await first);
        Assert.Equal(Enumerable.Range(1, 40).Select(i => i * 10), await Task.WhenAll(rest));
        Assert.Contains(batchSizes, size => size > 1);
        Assert.All(batchSizes, size => Assert.InRange(size, 1, 16));
    }

    [Fact]
    public async Task A_full_queue_rejects_at_once()
    {
        using var gate = new WorkerGate();
        using var runner = new CpuWorkRunner<int, int>("test", threads: 1, queueCapacity: 2, maxBatch: 1, (inputs, outputs) =>
        {
            gate.Hold();
            outputs[0] = inputs[0];
        });
        var running = runner.RunAsync(0, TimeSpan.FromSeconds(30), CancellationToken.None);
        await gate.Entered; // The worker holds item 0; the queue itself is empty again.
        var queued = new[] { runner.RunAsync(1, TimeSpan.FromSeconds(10), CancellationToken.None), runner.RunAsync(2, TimeSpan.FromSeconds(10), CancellationToken.None) };
        await Assert.ThrowsAsync<CpuSaturatedException>(() => runner.RunAsync(3, TimeSpan.FromSeconds(10), CancellationToken.None));
        Assert.Equal(1, runner.Rejected);
        gate.Release();
        await running;
        await Task.WhenAll(queued);
    }

    [Fact]
    public async Task A_caller_that_gives_up_is_skipped_and_its_deadline_is_enforced()
    {
        using var gate = new WorkerGate();
        var ran = new System.Collections.Concurrent.ConcurrentBag<int>();
        using var runner = new CpuWorkRunner<int, int>("test", threads: 1, queueCapacity: 10, maxBatch: 1, (inputs, outputs) =>
        {
            gate.Hold();
            ran.Add(inputs[0]);
            outputs[0] = inputs[0];
        });
        var blocker = runner.RunAsync(0, TimeSpan.FromSeconds(30), CancellationToken.None);
        await gate.Entered;
        using var leaving = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => runner.RunAsync(1, TimeSpan.FromSeconds(10), leaving.Token));
        await Assert.ThrowsAsync<TimeoutException>(() => runner.RunAsync(2, TimeSpan.FromMilliseconds(100), CancellationToken.None));
        gate.Release();
        await blocker;
        Assert.Equal(5, await runner.RunAsync(5, TimeSpan.FromSeconds(10), CancellationToken.None));
        Assert.DoesNotContain(1, ran);
        Assert.DoesNotContain(2, ran);
        Assert.Equal(2, runner.Expired);
    }

    [Fact]
    public async Task A_batch_that_overruns_its_deadline_fails_its_caller_while_it_still_runs()
    {
        // No timer per item: the runner's sweeper must see items inside a running batch, not only queued ones.
        using var gate = new WorkerGate();
        using var runner = new CpuWorkRunner<int, int>("test", threads: 1, queueCapacity: 10, maxBatch: 1, (inputs, outputs) =>
        {
            gate.Hold();
            outputs[0] = inputs[0];
        });
        var stuck = runner.RunAsync(1, TimeSpan.FromMilliseconds(100), CancellationToken.None);
        await gate.Entered;
        var first = await Task.WhenAny(stuck, Task.Delay(TimeSpan.FromSeconds(10)));
        Assert.Same(stuck, first); // Failed while the worker is still held, not when it is let go.
        await Assert.ThrowsAsync<TimeoutException>(() => stuck);
        gate.Release();
        Assert.Equal(2, await runner.RunAsync(2, TimeSpan.FromSeconds(10), CancellationToken.None));
    }

    [Fact]
    public async Task Deadlines_are_enforced_again_after_the_runner_was_idle()
    {
        // The sweeper stops when nothing is in flight; the next item must start it again.
        using var gate = new WorkerGate();
        var hold = false;
        using var runner = new CpuWorkRunner<int, int>("test", threads: 1, queueCapacity: 10, maxBatch: 1, (inputs, outputs) =>
        {
            if (Volatile.Read(ref hold)) gate.Hold();
            outputs[0] = inputs[0];
        });
        Assert.Equal(1, await runner.RunAsync(1, TimeSpan.FromSeconds(10), CancellationToken.None));
        await Eventually.TrueAsync(() => !runner.IsSweeping, TimeSpan.FromSeconds(10), "the sweeper stops once nothing is in flight");
        Volatile.Write(ref hold, true);
        var blocker = runner.RunAsync(2, TimeSpan.FromSeconds(30), CancellationToken.None);
        await gate.Entered;
        var queued = runner.RunAsync(3, TimeSpan.FromMilliseconds(100), CancellationToken.None);
        var first = await Task.WhenAny(queued, Task.Delay(TimeSpan.FromSeconds(10)));
        Assert.Same(queued, first);
        await Assert.ThrowsAsync<TimeoutException>(() => queued);
        gate.Release();
        Assert.Equal(2, await blocker);
    }

    [Fact]
    public async Task A_caller_that_gives_up_is_answered_at_once_not_when_a_worker_reaches_it()
    {
        using var gate = new WorkerGate();
        using var runner = new CpuWorkRunner<int, int>("test", threads: 1, queueCapacity: 10, maxBatch: 1, (inputs, outputs) =>
        {
            gate.Hold();
            outputs[0] = inputs[0];
        });
        var blocker = runner.RunAsync(0, TimeSpan.FromSeconds(30), CancellationToken.None);
        await gate.Entered;
        using var leaving = new CancellationTokenSource();
        var queued = runner.RunAsync(1, TimeSpan.FromSeconds(30), leaving.Token);
        await leaving.CancelAsync();
        Assert.True(queued.IsCanceled); // The caller's token completes the item itself: no worker, no sweeper needed.
        gate.Release();
        await blocker;
    }

    [Fact]
    public async Task Many_callers_against_few_workers_all_get_their_own_results()
    {
        // Workers sleep when the queue is empty and are woken only when one sleeps: a lost wake-up would leave items
        // waiting until their deadline, which here is far beyond the bound the test waits.
        using var runner = new CpuWorkRunner<int, int>("test", threads: 2, queueCapacity: 256, maxBatch: 8, (inputs, outputs) =>
        {
            for (var i = 0; i < inputs.Length; i++) outputs[i] = inputs[i] + 1;
        });
        var callers = Enumerable.Range(0, 64).Select(async caller =>
        {
            for (var i = 0; i < 200; i++)
            {
                var input = caller * 1000 + i;
                Assert.Equal(input + 1, await runner.RunAsync(input, TimeSpan.FromMinutes(5), CancellationToken.None));
            }
        });
        var all = Task.WhenAll(callers);
        Assert.Same(all, await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(60))));
        await all;
        Assert.Equal(64 * 200, runner.Completed);
        Assert.Equal(0, runner.Expired);
    }

    [Fact]
    public async Task A_failing_batch_fails_its_callers_and_the_runner_carries_on()
    {
        using var runner = new CpuWorkRunner<int, int>("test", threads: 1, queueCapacity: 10, maxBatch: 1, (inputs, outputs) =>
            outputs[0] = inputs[0] == 13 ? throw new InvalidOperationException("unlucky") : inputs[0]);
        await Assert.ThrowsAsync<InvalidOperationException>(() => runner.RunAsync(13, TimeSpan.FromSeconds(10), CancellationToken.None));
        Assert.Equal(7, await runner.RunAsync(7, TimeSpan.FromSeconds(10), CancellationToken.None));
    }

    [Fact]
    public void Disposing_twice_is_harmless()
    {
        // Its owner and the container that registered it for /metrics both dispose it.
        var runner = new CpuWorkRunner<int, int>("test", threads: 1, queueCapacity: 1, maxBatch: 1, (inputs, outputs) => outputs[0] = inputs[0]);
        runner.Dispose();
        runner.Dispose();
    }
}
