using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Storefront.Api.Accounts;

/// <summary>
/// A 403 says what is missing: the framework's own answer is a bare status (then the generic Problem Details), which
/// left a new shop's staff guessing. The reason comes from <see cref="RoleHandler"/>; everything else is the default.
/// </summary>
internal sealed class ForbiddenAnswers(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        var reason = authorizeResult.AuthorizationFailure?.FailureReasons.FirstOrDefault(r => r.Handler is RoleHandler)?.Message;
        if (!authorizeResult.Forbidden || reason is null)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        // Try: a client that accepts no JSON at all (the dashboard's stream asks for text/event-stream) gets the bare
        // status, as the framework's own 403 would give it.
        await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = StatusCodes.Status403Forbidden, Detail = reason },
        });
    }
}
