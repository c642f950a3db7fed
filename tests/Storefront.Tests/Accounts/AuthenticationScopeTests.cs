using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Storefront.Tests.Accounts;

/// <summary>
/// Authentication runs only for requests that carry credentials: an anonymous request has nothing to authenticate,
/// and on the cheapest endpoints the handler's per-request work is a visible share of the CPU. Counted at the
/// framework's IAuthenticationService, which every authentication middleware goes through.
/// </summary>
[ServerFree]
public sealed class AuthenticationScopeTests : IClassFixture<AuthenticationScopeTests.CountingFactory>
{
    private readonly CountingFactory _factory;

    public AuthenticationScopeTests(CountingFactory factory) => _factory = factory;

    [Fact]
    public async Task A_request_without_credentials_is_not_authenticated()
    {
        using var client = _factory.CreateClient();
        _factory.Counter.Reset();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/items?limit=1")).StatusCode);

        Assert.Equal(0, _factory.Counter.Calls);
    }

    [Fact]
    public async Task A_protected_endpoint_still_refuses_a_request_without_credentials()
    {
        using var client = _factory.CreateClient();

        var response = await client.GetAsync("/users/me");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_request_with_a_token_is_authenticated()
    {
        using var client = await _factory.CreateAuthenticatedClientAsync();
        _factory.Counter.Reset();

        var response = await client.GetAsync("/users/me");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(_factory.Counter.Calls > 0, "the bearer token was never authenticated");
    }

    public sealed class CallCounter
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public void Count() => Interlocked.Increment(ref _calls);

        public void Reset() => Volatile.Write(ref _calls, 0);
    }

    public sealed class CountingFactory : SqliteStorefrontFactory
    {
        public CountingFactory() =>
            WithServices(services =>
            {
                services.AddSingleton(Counter);
                services.AddScoped<IAuthenticationService>(sp =>
                    new CountingAuthenticationService(ActivatorUtilities.CreateInstance<AuthenticationService>(sp), Counter));
            });

        public CallCounter Counter { get; } = new();
    }

    private sealed class CountingAuthenticationService(IAuthenticationService inner, CallCounter counter) : IAuthenticationService
    {
        public Task<AuthenticateResult> AuthenticateAsync(HttpContext context, string? scheme)
        {
            counter.Count();
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
