using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Storefront.Api.Jobs;

namespace Storefront.Api.Email;

/// <summary>Older payloads also carry the user's id; it was never used.</summary>
public sealed record WelcomeEmailPayload(string Username, string Email);

public sealed record SendEmailPayload(string To, int RequestedBy);

/// <summary>A job that sends one message composed from its payload.</summary>
public abstract class EmailJobHandler<TPayload>(EmailSender sender, JsonTypeInfo<TPayload> payloadType, ILogger logger) : IJobHandler
{
    public abstract string Kind { get; }

    public virtual JobPriority Priority => JobPriority.Normal;

    public async Task<string> RunAsync(JobContext job, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.Deserialize(job.Payload, payloadType)
            ?? throw new InvalidOperationException($"Job {job.Id} has an empty payload.");
        var (to, subject, body) = Compose(payload, job);
        try
        {
            await sender.SendAsync(to, subject, body, cancellationToken);
        }
        catch (Exception ex) when (SendFailures.Describe(ex, sender) is { } failure)
        {
            // The server's reply (which may quote the address) only at Debug; the worker logs the classified reason.
            EmailLog.SendFailed(logger, ex, job.Id, Kind, job.Attempt, failure.Message);
            throw failure;
        }
        return $"{Kind} sent to {to}";
    }

    protected abstract (string To, string Subject, string Body) Compose(TPayload payload, JobContext job);
}

internal static partial class EmailLog
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Email job {JobId} ({Kind}) attempt {Attempt}: {Reason}")]
    public static partial void SendFailed(ILogger logger, Exception exception, string jobId, string kind, int attempt, string reason);
}

/// <summary>The welcome mail queued by /register in the same transaction as the new user.</summary>
public sealed class WelcomeEmailHandler(EmailSender sender, ILogger<WelcomeEmailHandler> logger)
    : EmailJobHandler<WelcomeEmailPayload>(sender, EmailJsonContext.Default.WelcomeEmailPayload, logger)
{
    public const string JobKind = "email.welcome";

    public override string Kind => JobKind;

    public override JobPriority Priority => JobPriority.User;

    protected override (string, string, string) Compose(WelcomeEmailPayload payload, JobContext job) =>
        (payload.Email, "Welcome to Storefront", $"Hello {payload.Username},\n\nyour Storefront account is ready.\n");
}

/// <summary>The /send-email background task, made durable.</summary>
public sealed class SendEmailHandler(EmailSender sender, ILogger<SendEmailHandler> logger)
    : EmailJobHandler<SendEmailPayload>(sender, EmailJsonContext.Default.SendEmailPayload, logger)
{
    public const string JobKind = "email.send";

    public override string Kind => JobKind;

    protected override (string, string, string) Compose(SendEmailPayload payload, JobContext job) =>
        (payload.To, "A message from Storefront", $"This message was requested by user {payload.RequestedBy} (job {job.Id}).\n");
}
