using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Storefront.Api.Data;
using Storefront.Api.Http;

namespace Storefront.Api.Accounts;

/// <summary>
/// What the JwtBearer handler does not check by itself. A correct signature proves the service issued the token, not
/// that its subject is still a user, nor that the token was not ended since (a password change, a reset, a logout): a
/// deleted account, an ended token, or a token signed with a leaked key for a made-up id must not reach any endpoint.
/// And a refused token is answered as RFC 6750 says, without saying what was wrong with it.
/// </summary>
public sealed class BearerTokenEvents(ActiveUsers users) : JwtBearerEvents
{
    /// <summary>The claim that carries the user's token version (<see cref="User.TokenVersion"/>).</summary>
    public const string VersionClaim = "tv";

    public override async Task TokenValidated(TokenValidatedContext context)
    {
        // RFC 7515 section 4.1.11: a token naming extensions its recipient must understand is refused by one that
        // understands none of them (this service).
        if (context.SecurityToken is JsonWebToken jwt && jwt.TryGetHeaderValue<object>("crit", out _))
        {
            context.Fail("The token names critical header extensions.");
            return;
        }
        var principal = context.Principal!;
        var aborted = context.HttpContext.RequestAborted;
        try
        {
            // Exactly one subject, written as the service writes ids (digits only), naming a user who exists now, with the
            // token version that user has now, and not ended by a logout.
            var valid = principal.FindAll(JwtRegisteredClaimNames.Sub).Take(2).Count() == 1
                && CurrentUser.Id(principal) is int id && id > 0
                && Version(principal) is int version
                && await users.AcceptsAsync(id, version, principal.FindFirstValue(JwtRegisteredClaimNames.Jti),
                    context.HttpContext.RequestServices.GetRequiredService<StorefrontDbContext>(), aborted);
            if (!valid) context.Fail("The token's subject is not a current user, or the token was ended.");
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client hung up during the lookup. Thrown on, the handler would log an error with a stack for it; and
            // with nobody to answer, the connection is dropped rather than its body drained.
            context.Fail("The client went away.");
            context.HttpContext.Abort();
        }
    }

    public override Task Challenge(JwtBearerChallengeContext context)
    {
        // With IncludeErrorDetails off the handler names no error at all; a token that was sent and refused is
        // "invalid_token" (RFC 6750 section 3.1), and the reason stays in the server: it would tell a forger what to fix.
        // No token at all stays a bare "Bearer" challenge.
        if (context.AuthenticateFailure is not null) context.Error = "invalid_token";
        return Task.CompletedTask;
    }

    // Tokens issued before versions existed carry none: they are at version 0 until the first revocation raises it.
    private static int? Version(ClaimsPrincipal principal)
    {
        var claims = principal.FindAll(VersionClaim).Take(2).ToList();
        if (claims.Count == 0) return 0;
        return claims.Count == 1 && int.TryParse(claims[0].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? version
            : null;
    }
}
