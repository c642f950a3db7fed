using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Storefront.Api.Data;
using Storefront.Api.Http;

namespace Storefront.Api.Accounts;

/// <summary>
/// What the JwtBearer handler does not check by itself. A correct signature proves the service issued the token, not
/// that its subject is still a user: a deleted account, or a token signed with a leaked key for a made-up id, must
/// not reach any endpoint. And a refused token is answered as RFC 6750 says, without saying what was wrong with it.
/// </summary>
public sealed class BearerTokenEvents(ActiveUsers users) : JwtBearerEvents
{
    public override async Task TokenValidated(TokenValidatedContext context)
    {
        var principal = context.Principal!;
        // Exactly one subject, written as the service writes ids (digits only), naming a user who exists now.
        var valid = principal.FindAll(JwtRegisteredClaimNames.Sub).Take(2).Count() == 1
            && CurrentUser.Id(principal) is int id && id > 0
            && await users.ExistsAsync(id, context.HttpContext.RequestServices.GetRequiredService<StorefrontDbContext>(),
                context.HttpContext.RequestAborted);
        if (!valid) context.Fail("The token's subject is not a current user.");
    }

    public override Task Challenge(JwtBearerChallengeContext context)
    {
        // With IncludeErrorDetails off the handler names no error at all; a token that was sent and refused is
        // "invalid_token" (RFC 6750 section 3.1), and the reason stays in the server: it would tell a forger what to fix.
        // No token at all stays a bare "Bearer" challenge.
        if (context.AuthenticateFailure is not null) context.Error = "invalid_token";
        return Task.CompletedTask;
    }
}
