namespace Storefront.Api.Jobs;

/// <summary>The /log background task: writes the posted object to the service log.</summary>
public sealed partial class LogJobHandler(ILogger<LogJobHandler> logger) : IJobHandler
{
    public const string JobKind = "log";

    public string Kind => JobKind;

    public JobPriority Priority => JobPriority.Bulk;

    public Task<string> RunAsync(JobContext job, CancellationToken cancellationToken)
    {
        var summary = job.Payload.Length <= 2000 ? job.Payload : job.Payload[..2000];
        LogEntry(logger, job.Id, summary);
        return Task.FromResult(summary);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Log job {JobId}: {Entry}")]
    private static partial void LogEntry(ILogger logger, string jobId, string entry);
}
