using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using MailKit.Net.Smtp;
using MimeKit;
using Storefront.Api.Jobs;

namespace Storefront.Api.Email;

/// <summary>Older payloads also carry the user's id; it was never used.</summary>
public sealed record WelcomeEmailPayload(string Username, string Email);

public sealed record SendEmailPayload(string To, int RequestedBy);

/// <summary>A job that sends one message composed from its payload.</summary>
public abstract class EmailJobHandler<TPayload>(EmailSender sender, JsonTypeInfo<TPayload> payloadType) : IJobHandler
{
    public abstract string Kind { get; }

    public async Task<string> RunAsync(JobContext job, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.Deserialize(job.Payload, payloadType)
            ?? throw new InvalidOperationException($"Job {job.Id} has an empty payload.");
        var (to, subject, body) = Compose(payload, job);
        try
        {
            await sender.SendAsync(to, subject, body, cancellationToken);
        }
        catch (SmtpCommandException ex) when (IsPermanent(ex))
        {
            throw new PermanentJobFailureException($"The SMTP server refused the message to {to} for good: {(int)ex.StatusCode} {ex.Message}", ex);
        }
        catch (ParseException ex)
        {
            // Stored before the API checked addresses as strictly: no attempt can send it.
            throw new PermanentJobFailureException($"'{to}' is not an address mail can be sent to: {ex.Message}", ex);
        }
        return $"{Kind} sent to {to}";
    }

    /// <summary>
    /// A 5xx reply to this recipient or this message will be the same on every retry. A refused sender is
    /// left to the retries: that is the configuration (Smtp__From, the account), which an operator can fix.
    /// </summary>
    private static bool IsPermanent(SmtpCommandException ex) =>
        (int)ex.StatusCode >= 500 && ex.ErrorCode is SmtpErrorCode.RecipientNotAccepted or SmtpErrorCode.MessageNotAccepted;

    protected abstract (string To, string Subject, string Body) Compose(TPayload payload, JobContext job);
}

/// <summary>The welcome mail queued by /register in the same transaction as the new user.</summary>
public sealed class WelcomeEmailHandler(EmailSender sender)
    : EmailJobHandler<WelcomeEmailPayload>(sender, EmailJsonContext.Default.WelcomeEmailPayload)
{
    public const string JobKind = "email.welcome";

    public override string Kind => JobKind;

    protected override (string, string, string) Compose(WelcomeEmailPayload payload, JobContext job) =>
        (payload.Email, "Welcome to Storefront", $"Hello {payload.Username},\n\nyour Storefront account is ready.\n");
}

/// <summary>The seed's /send-email background task, made durable.</summary>
public sealed class SendEmailHandler(EmailSender sender)
    : EmailJobHandler<SendEmailPayload>(sender, EmailJsonContext.Default.SendEmailPayload)
{
    public const string JobKind = "email.send";

    public override string Kind => JobKind;

    protected override (string, string, string) Compose(SendEmailPayload payload, JobContext job) =>
        (payload.To, "A message from Storefront", $"This message was requested by user {payload.RequestedBy} (job {job.Id}).\n");
}
