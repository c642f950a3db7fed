using System.Text.Json;
using Storefront.Api.Http;
using Storefront.Api.Jobs;

namespace Storefront.Api.Email;

public sealed record WelcomeEmailPayload(int UserId, string Username, string Email);

public sealed record SendEmailPayload(string To, int RequestedBy);

/// <summary>The welcome mail queued by /register in the same transaction as the new user.</summary>
public sealed class WelcomeEmailHandler(EmailSender sender) : IJobHandler
{
    public const string JobKind = "email.welcome";

    public string Kind => JobKind;

    public async Task<string> RunAsync(JobContext job, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.Deserialize(job.Payload, AppJsonContext.Default.WelcomeEmailPayload)!;
        await sender.SendAsync(payload.Email, "Welcome to Storefront",
            $"Hello {payload.Username},\n\nyour Storefront account is ready.\n", cancellationToken);
        return $"welcome email sent to {payload.Email}";
    }
}

/// <summary>The seed's /send-email background task, made durable.</summary>
public sealed class SendEmailHandler(EmailSender sender) : IJobHandler
{
    public const string JobKind = "email.send";

    public string Kind => JobKind;

    public async Task<string> RunAsync(JobContext job, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.Deserialize(job.Payload, AppJsonContext.Default.SendEmailPayload)!;
        await sender.SendAsync(payload.To, "A message from Storefront",
            $"This message was requested by user {payload.RequestedBy} (job {job.Id}).\n", cancellationToken);
        return $"email sent to {payload.To}";
    }
}
