using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using Storefront.Api.Data;
using Storefront.Api.Email;
using Storefront.Api.Http;

namespace Storefront.Api.Accounts;

/// <summary>
/// Password change, recovery by mail and reset, logout and logout everywhere. Every one that ends tokens raises the
/// user's token version (or records the one token), which the user check (<see cref="ActiveUsers"/>) reads.
/// </summary>
internal static class AccountLifecycleEndpoints
{
    private const string BusyHashing = "Too many password checks are being processed; try again shortly.";
    private const string BadResetToken = "The token is unknown, used or expired: ask for a new one (POST /password-recovery).";

    public static void MapAccountLifecycle(this RouteGroupBuilder group)
    {
        // A wrong current password is a guess at it: counted like a login.
        group.MapPost("/users/me/password", ChangePassword).RequireAuthorization().RequireRateLimiting(AccountsExtensions.LoginPolicy)
            .WithSummary("Change the password; every earlier token of the user stops working");
        group.MapPost("/password-recovery", Recover).RequireRateLimiting(AccountsExtensions.RecoveryPolicy)
            .WithSummary("Mail a one-time, short-lived reset token; 202 whether or not the address has an account");
        group.MapPost("/reset-password", Reset).RequireRateLimiting(AccountsExtensions.RecoveryPolicy)
            .WithSummary("Set a new password with a mailed token; every earlier token of the user stops working");
        group.MapPost("/logout", Logout).RequireAuthorization().WithSummary("End the token this request carries");
        group.MapPost("/logout-all", LogoutAll).RequireAuthorization().WithSummary("End every token of the user");
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> ChangePassword(
        ChangePasswordRequest request, HttpContext context, StorefrontDbContext db, PasswordHashing passwords, ActiveUsers users,
        CancellationToken cancellationToken)
    {
        if (CurrentUser.Id(context.User) is not { } id) return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized);
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == id, cancellationToken);
        if (user is null) return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized);
        if (PasswordRules.Problem(request.NewPassword, user.Username) is { } weak) return Problems.Invalid("new_password", weak);

        var verified = await passwords.VerifyAsync(user, request.CurrentPassword!, cancellationToken);
        if (verified is null) return Problems.TooBusy(context, BusyHashing);
        if (verified == PasswordVerificationResult.Failed) return Problems.Invalid("current_password", "Not the current password.");
        if (await passwords.HashAsync(request.NewPassword!, cancellationToken) is not { } hash) return Problems.TooBusy(context, BusyHashing);

        await SetPasswordAsync(db, id, hash, cancellationToken);
        users.Forget(id);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Accepted<RecoveryAcceptedResponse>, ValidationProblem>> Recover(
        PasswordRecoveryRequest request, StorefrontDbContext db, IAccountMail mail, IOptions<PasswordRecoveryOptions> options,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var accepted = TypedResults.Accepted((string?)null,
            new RecoveryAcceptedResponse("If the address has an account, a reset token is on its way."));
        var normalized = User.Normalize(request.Email!);
        var user = await db.Users.Where(u => u.NormalizedEmail == normalized)
            .Select(u => new { u.Id, u.Email }).FirstOrDefaultAsync(cancellationToken);
        if (user is null) return accepted;

        var settings = options.Value;
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var lastHour = now - 3_600_000;
        if (await db.PasswordResets.CountAsync(r => r.UserId == user.Id && r.CreatedMs > lastHour, cancellationToken) >= settings.MailsPerHour)
            return accepted;

        var token = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        // The token row and its mail in one SaveChanges: a 202 for an account means the mail is a stored job.
        db.PasswordResets.Add(new PasswordReset
        {
            TokenHash = Hash(token),
            UserId = user.Id,
            CreatedMs = now,
            ExpiresMs = now + settings.TokenMinutes * 60_000L,
        });
        mail.StageRecovery(db, user.Email, token, settings.TokenMinutes);
        await db.SaveChangesAsync(cancellationToken);
        return accepted;
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Reset(
        ResetPasswordRequest request, HttpContext context, StorefrontDbContext db, PasswordHashing passwords, ActiveUsers users,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var tokenHash = Hash(request.Token!);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var reset = await db.PasswordResets.Where(r => r.TokenHash == tokenHash && r.UsedMs == null && r.ExpiresMs > now)
            .Select(r => new { r.UserId }).FirstOrDefaultAsync(cancellationToken);
        if (reset is null) return Problems.Invalid("token", BadResetToken);
        var username = await db.Users.Where(u => u.Id == reset.UserId).Select(u => u.Username).FirstOrDefaultAsync(cancellationToken);
        if (username is null) return Problems.Invalid("token", BadResetToken);
        if (PasswordRules.Problem(request.NewPassword, username) is { } weak) return Problems.Invalid("new_password", weak);
        if (await passwords.HashAsync(request.NewPassword!, cancellationToken) is not { } hash) return Problems.TooBusy(context, BusyHashing);

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Single use: of two requests racing with one token, only the one that marks it used goes on.
        var claimed = await db.PasswordResets.Where(r => r.TokenHash == tokenHash && r.UsedMs == null && r.ExpiresMs > now)
            .ExecuteUpdateAsync(set => set.SetProperty(r => r.UsedMs, now), cancellationToken);
        if (claimed == 0) return Problems.Invalid("token", BadResetToken);
        // Every other token of the user's ends too: one mailed link resets once.
        await db.PasswordResets.Where(r => r.UserId == reset.UserId && r.UsedMs == null)
            .ExecuteUpdateAsync(set => set.SetProperty(r => r.UsedMs, now), cancellationToken);
        await SetPasswordAsync(db, reset.UserId, hash, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        users.Forget(reset.UserId);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Logout(
        HttpContext context, StorefrontDbContext db, ActiveUsers users, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (CurrentUser.Id(context.User) is not { } id || context.User.FindFirst(JwtRegisteredClaimNames.Jti)?.Value is not { Length: > 0 and <= 64 } jti
            || context.User.FindFirst(JwtRegisteredClaimNames.Exp)?.Value is not { } exp || !long.TryParse(exp, out var expSeconds))
        {
            // A token without an id cannot be ended alone (the service issues none): end all of the user's.
            return await LogoutAll(context, db, users, cancellationToken);
        }
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        // Expired entries go with the next logout of the same user: the list stays as short as the tokens still alive.
        await db.RevokedTokens.Where(t => t.UserId == id && t.ExpiresMs <= now).ExecuteDeleteAsync(cancellationToken);
        if (!await db.RevokedTokens.AnyAsync(t => t.Jti == jti, cancellationToken))
        {
            db.RevokedTokens.Add(new RevokedToken { Jti = jti, UserId = id, ExpiresMs = expSeconds * 1000 });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException ex) when (DatabaseErrors.IsUniqueViolation(ex))
            {
                // The same token logged out twice at once: ended either way.
            }
        }
        users.Forget(id);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> LogoutAll(
        HttpContext context, StorefrontDbContext db, ActiveUsers users, CancellationToken cancellationToken)
    {
        if (CurrentUser.Id(context.User) is not { } id) return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized);
        await db.Users.Where(u => u.Id == id)
            .ExecuteUpdateAsync(set => set.SetProperty(u => u.TokenVersion, u => u.TokenVersion + 1), cancellationToken);
        users.Forget(id);
        return TypedResults.NoContent();
    }

    // The caller then makes this instance's user check forget the user (after the commit, if it holds a transaction).
    private static Task<int> SetPasswordAsync(StorefrontDbContext db, int id, string hash, CancellationToken cancellationToken) =>
        db.Users.Where(u => u.Id == id).ExecuteUpdateAsync(set => set
            .SetProperty(u => u.PasswordHash, hash)
            .SetProperty(u => u.TokenVersion, u => u.TokenVersion + 1), cancellationToken);

    // The token has 256 random bits: a plain SHA-256 is enough to make the stored form useless to a reader of the table.
    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));
}
