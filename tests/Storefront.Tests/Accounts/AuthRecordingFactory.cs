using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Storefront.Tests.Accounts;

/// <summary>
/// A host that records what the pipeline ran for each request: whether authorization ran (the key the framework's
/// authorization middleware leaves in Items, read when the answer starts) and how often authentication ran (calls to
/// the framework's IAuthenticationService, which every authentication middleware goes through).
/// </summary>
public sealed class AuthRecordingFactory : SqliteStorefrontFactory
{
    // AuthorizationMiddleware.AuthorizationMiddlewareWithEndpointInvokedKey.
    private const string AuthorizedKey = "__AuthorizationMiddlewareWithEndpointInvoked";

    private int _authentications;

    public AuthRecordingFactory() =>
        WithServices(services =>
        {
            services.AddSingleton<IStartupFilter>(new Recorder(Authorized));
            services.AddScoped<IAuthenticationService>(sp =>
                new CountingAuthenticationService(ActivatorUtilities.CreateInstance<AuthenticationService>(sp), this));
        });

    /// <summary>Per path: whether authorization ran for its latest request.</summary>
    public ConcurrentDictionary<string, bool> Authorized { get; } = new();

    public int Authentications => Volatile.Read(ref _authentications);

    public void ResetAuthentications() => Volatile.Write(ref _authentications, 0);

    private sealed class Recorder(ConcurrentDictionary<string, bool> authorized) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, inner) =>
            {
                // When the answer starts: the client may have it before the pipeline has returned.
                context.Response.OnStarting(() =>
                {
                    authorized[context.Request.Path.Value!] = context.Items.ContainsKey(AuthorizedKey);
                    return Task.CompletedTask;
                });
                return inner(context);
            });
            next(app);
        };
    }

    private sealed class CountingAuthenticationService(IAuthenticationService inner, AuthRecordingFactory factory) : IAuthenticationService
    {
        public Task<AuthenticateResult> AuthenticateAsync(HttpContext context, string? scheme)
        {
            Interlocked.Increment(ref factory._authentications);
            return inner.AuthenticateAsync(context, scheme);
        }

        public Task ChallengeAsync(HttpContext context, string? scheme, AuthenticationProperties? properties) =>
            inner.ChallengeAsync(context, scheme, properties);

        public Task ForbidAsync(HttpContext context, string? scheme, AuthenticationProperties? properties) =>
            inner.ForbidAsync(context, scheme, properties);

        public Task SignInAsync(HttpContext context, string? scheme, ClaimsPrincipal principal, AuthenticationProperties? properties) =>
            inner.SignInAsync(context, scheme, principal, properties);

        public Task SignOutAsync(HttpContext context, string? scheme, AuthenticationProperties? properties) =>
            inner.SignOutAsync(context, scheme, properties);
    }
}
