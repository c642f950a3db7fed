using System.Globalization;
using Storefront.Api.Data;
using Storefront.Api.Jobs;

namespace Storefront.Api.Email;

/// <summary>What the account lifecycle mails: each is staged in the caller's unit of work, a durable job.</summary>
public interface IAccountMail
{
    /// <summary>The one-time recovery token, staged with the row that records its hash.</summary>
    void StageRecovery(StorefrontDbContext db, string email, string token, int validMinutes);

    /// <summary>
    /// Tells an address's owner that someone tried to register it: what /register sends instead of saying "taken"
    /// to whoever asked, so only the owner of the mailbox learns that it holds an account.
    /// </summary>
    void StageAlreadyRegistered(StorefrontDbContext db, string email);
}

internal sealed class AccountMail(IJobQueue jobs) : IAccountMail
{
    // No owner: these are asked for anonymously, and nobody is handed their job ids.
    public void StageRecovery(StorefrontDbContext db, string email, string token, int validMinutes) =>
        jobs.Add(db, PasswordRecoveryHandler.JobKind, new PasswordRecoveryPayload(email, token, validMinutes),
            EmailJsonContext.Default.PasswordRecoveryPayload, ownerId: null);

    public void StageAlreadyRegistered(StorefrontDbContext db, string email) =>
        jobs.Add(db, AlreadyRegisteredHandler.JobKind, new AlreadyRegisteredPayload(email),
            EmailJsonContext.Default.AlreadyRegisteredPayload, ownerId: null);
}

public sealed record PasswordRecoveryPayload(string To, string Token, int ValidMinutes);

public sealed record AlreadyRegisteredPayload(string To);

/// <summary>The recovery token, for POST /reset-password.</summary>
public sealed class PasswordRecoveryHandler(EmailSender sender, ILogger<PasswordRecoveryHandler> logger)
    : EmailJobHandler<PasswordRecoveryPayload>(sender, EmailJsonContext.Default.PasswordRecoveryPayload, logger)
{
    public const string JobKind = "email.password_recovery";

    public override string Kind => JobKind;

    public override JobPriority Priority => JobPriority.User;

    protected override (string, string, string) Compose(PasswordRecoveryPayload payload, JobContext job) =>
        (payload.To, "Reset your Storefront password", string.Create(CultureInfo.InvariantCulture,
            $"Someone asked to reset the password of the Storefront account of this address.\n\nReset token: {payload.Token}\n\n" +
            $"It works once, for {payload.ValidMinutes} minutes (POST /reset-password). If it was not you, ignore this message.\n"));
}

/// <summary>The note /register has mailed when the address already has an account.</summary>
public sealed class AlreadyRegisteredHandler(EmailSender sender, ILogger<AlreadyRegisteredHandler> logger)
    : EmailJobHandler<AlreadyRegisteredPayload>(sender, EmailJsonContext.Default.AlreadyRegisteredPayload, logger)
{
    public const string JobKind = "email.already_registered";

    public override string Kind => JobKind;

    public override JobPriority Priority => JobPriority.User;

    protected override (string, string, string) Compose(AlreadyRegisteredPayload payload, JobContext job) =>
        (payload.To, "Your Storefront account",
            "Someone tried to register a new Storefront account with this address, which already has one.\n\n" +
            "If it was you and you have forgotten your password, use password recovery. If not, ignore this message.\n");
}
