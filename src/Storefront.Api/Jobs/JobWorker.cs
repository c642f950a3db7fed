using System.Collections.Concurrent;
using System.Diagnostics;
using Storefront.Api.Diagnostics;

namespace Storefront.Api.Jobs;

/// <summary>
/// Claims due jobs and runs up to Concurrency of them at once. It stops claiming as soon as the instance begins to
/// drain: a job claimed then would get only what is left of the grace before being interrupted, where an instance that
/// is not stopping can run it whole. On stop it lets running jobs finish within the host's shutdown timeout, then
/// cancels the rest and hands their leases back.
/// </summary>
public sealed partial class JobWorker : BackgroundService
{
    private static readonly TimeSpan StoreTimeout = TimeSpan.FromSeconds(15);
    internal const string UnexpectedFailure = "The attempt failed unexpectedly; the service log has the details.";
    private static readonly TimeSpan PurgeEvery = TimeSpan.FromHours(1);
    private const int PurgeBatch = 1000;

    private readonly JobStore _store;
    private readonly Dictionary<string, IJobHandler> _handlers;
    private readonly JobSignal _signal;
    private readonly JobsOptions _options;
    private readonly ILogger<JobWorker> _logger;
    private readonly JobMetrics _metrics;
    private readonly TimeProvider _clock;
    private readonly ShutdownDrain _drain;
    private readonly ConcurrentDictionary<string, Task> _running = new();
    private readonly CancellationTokenSource _abandon = new();
    private long _lastBeat = Stopwatch.GetTimestamp();
    private long _lastRenewal = Stopwatch.GetTimestamp();
    private long _lastPurge;

    public JobWorker(JobStore store, IEnumerable<IJobHandler> handlers, JobSignal signal, IOptions<JobsOptions> options,
        ILogger<JobWorker> logger, JobMetrics metrics, TimeProvider clock, ShutdownDrain drain)
    {
        _drain = drain;
        _clock = clock;
        _metrics = metrics;
        _store = store;
        _handlers = handlers.ToDictionary(h => h.Kind, StringComparer.Ordinal);
        _signal = signal;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>Identifies this process's leases: host, process and a random part for restarts of one pid.</summary>
    public string WorkerId { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>How long since the claim loop last went round (readiness says unhealthy if it stalls).</summary>
    public TimeSpan SinceLastBeat => Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastBeat));

    public int RunningCount => _running.Count;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.WorkerEnabled) return; // An API-only instance: other instances run the jobs.
        var renewEvery = TimeSpan.FromSeconds(_options.LeaseSeconds / 3.0);
        // Wake at least once per renewal period, however long the poll interval.
        var poll = TimeSpan.FromMilliseconds(Math.Min(_options.PollIntervalMs, renewEvery.TotalMilliseconds));
        while (!stoppingToken.IsCancellationRequested)
        {
            Interlocked.Exchange(ref _lastBeat, Stopwatch.GetTimestamp());
            if (Stopwatch.GetElapsedTime(_lastRenewal) >= renewEvery) await RenewLeasesAsync(stoppingToken);
            var free = _options.Concurrency - _running.Count;
            var claimedAll = false;
            // Draining: the loop goes on only to renew the leases of the jobs still running.
            if (free > 0 && !_drain.IsDraining)
            {
                try
                {
                    var claimed = await _store.ClaimAsync(WorkerId, free, stoppingToken);
                    foreach (var job in claimed) _running[job.Id] = RunAsync(job);
                    claimedAll = claimed.Count == free; // More may be due: look again at once.
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex)
                {
                    LogClaimFailed(_logger, ex); // Database unreachable: try again next round.
                }
            }
            if (claimedAll) continue;
            await RefreshMetricsAsync(stoppingToken);
            await PurgeFinishedAsync(stoppingToken);
            try
            {
                await _signal.WaitAsync(poll, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private async Task RenewLeasesAsync(CancellationToken stoppingToken)
    {
        _lastRenewal = Stopwatch.GetTimestamp();
        try
        {
            await _store.RenewLeasesAsync(WorkerId, _running.Keys.ToArray(), stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The database is not answering: if that lasts past the lease, another worker may take the job
            // over, and completion then records its effect once (see JobStore.CompleteAsync).
            LogRenewFailed(_logger, ex);
        }
    }

    /// <summary>Hourly, and once soon after start: deletes jobs past Jobs__RetentionDays, a batch per idle round.</summary>
    private async Task PurgeFinishedAsync(CancellationToken stoppingToken)
    {
        if (_options.RetentionDays == 0 || (_lastPurge != 0 && Stopwatch.GetElapsedTime(_lastPurge) < PurgeEvery)) return;
        _lastPurge = Stopwatch.GetTimestamp();
        try
        {
            var cutoff = _clock.GetUtcNow().AddDays(-_options.RetentionDays); // The clock the store stamps jobs with.
            // One small batch per idle round keeps each transaction short and never holds up claiming for long;
            // a full batch means more may be due, so the next idle round goes on. Instances may purge at once.
            if (await _store.PurgeFinishedAsync(cutoff, PurgeBatch, stoppingToken) == PurgeBatch) _lastPurge = 0;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogPurgeFailed(_logger, ex); // Tried again next hour.
        }
    }

    private async Task RefreshMetricsAsync(CancellationToken stoppingToken)
    {
        if (!_metrics.NeedsRefresh) return;
        try
        {
            var (queued, failed, running) = await _store.CountUnfinishedAsync(stoppingToken);
            _metrics.Update(queued, failed, running);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogClaimFailed(_logger, ex); // Same cause as a failed claim: the database is not answering.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken); // Stops claiming.
        try
        {
            await Task.WhenAll(_running.Values).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout is up: interrupt what is left and give it back for another worker.
            // Listed before cancelling: a handler may end, and leave _running, inside CancelAsync (MailKit does).
            // ReleaseAsync only touches jobs still running under this worker, so one that finished is left alone.
            var unfinished = _running.Keys.ToArray();
            await _abandon.CancelAsync();
            try
            {
                using var timeout = new CancellationTokenSource(StoreTimeout);
                var released = await _store.ReleaseAsync(WorkerId, unfinished, timeout.Token);
                LogReleased(_logger, released);
            }
            catch (Exception ex)
            {
                // Best effort: a job not given back is retried when its lease expires, so the host still stops cleanly.
                LogReleaseFailed(_logger, ex, unfinished.Length);
            }
        }
    }

    public override void Dispose()
    {
        _abandon.Dispose();
        base.Dispose();
    }

    private async Task RunAsync(JobContext job)
    {
        await Task.Yield(); // Keep the claim loop going while this job runs.
        try
        {
            if (!_handlers.TryGetValue(job.Kind, out var handler))
            {
                await FailAsync(job, $"No handler for job kind '{job.Kind}'.", permanent: true);
                return;
            }
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(_abandon.Token);
            attempt.CancelAfter(TimeSpan.FromSeconds(_options.TimeoutSeconds));
            string summary;
            try
            {
                summary = await handler.RunAsync(job, attempt.Token);
            }
            catch (OperationCanceledException) when (attempt.IsCancellationRequested && !_abandon.IsCancellationRequested)
            {
                await FailAsync(job, $"Timed out after {_options.TimeoutSeconds} s (Jobs__TimeoutSeconds).", permanent: false);
                return;
            }
            using var timeout = new CancellationTokenSource(StoreTimeout);
            if (await _store.CompleteAsync(job, WorkerId, summary, timeout.Token))
                _metrics.Finished(job.Kind, JobStatus.Succeeded);
            else
                LogLeaseLost(_logger, job.Id, job.Kind);
        }
        catch (OperationCanceledException) when (_abandon.IsCancellationRequested)
        {
            // Shutting down: StopAsync releases this job.
        }
        catch (JobFailureException ex)
        {
            await FailAsync(job, ex.Message, permanent: ex is PermanentJobFailureException);
        }
        catch (Exception ex)
        {
            // Its message is not meant for the job's owner: it stays in the service log, last_error says only this.
            LogUnexpectedFailure(_logger, ex, job.Id, job.Kind);
            await FailAsync(job, UnexpectedFailure, permanent: false);
        }
        finally
        {
            _running.TryRemove(job.Id, out _);
            _signal.Notify(); // A slot is free.
        }
    }

    private async Task FailAsync(JobContext job, string error, bool permanent)
    {
        try
        {
            using var timeout = new CancellationTokenSource(StoreTimeout);
            var status = await _store.FailAsync(job, WorkerId, error, permanent, timeout.Token);
            _metrics.Finished(job.Kind, status);
            LogAttemptFailed(_logger, job.Id, job.Kind, job.Attempt, job.MaxAttempts, status, error);
        }
        catch (Exception ex)
        {
            // The lease expires and another attempt follows: at least once, never lost.
            LogStoreFailed(_logger, ex, job.Id);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete finished jobs past their retention; retrying in an hour")]
    private static partial void LogPurgeFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not renew the leases of running jobs; retrying")]
    private static partial void LogRenewFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not claim jobs; retrying")]
    private static partial void LogClaimFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} ({Kind}) attempt {Attempt}/{MaxAttempts} failed, now {Status}: {Error}")]
    private static partial void LogAttemptFailed(ILogger logger, string jobId, string kind, int attempt, int maxAttempts, string status, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} ({Kind}): its handler failed unexpectedly")]
    private static partial void LogUnexpectedFailure(ILogger logger, Exception exception, string jobId, string kind);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} ({Kind}) finished after its lease passed to another worker; its effect was not recorded twice")]
    private static partial void LogLeaseLost(ILogger logger, string jobId, string kind);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not record the outcome of job {JobId}; it will run again when its lease expires")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception, string jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shutdown: released {Count} unfinished job(s) for other workers")]
    private static partial void LogReleased(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not give back {Count} unfinished jobs on shutdown; they run again when their leases expire")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception, int count);
}
