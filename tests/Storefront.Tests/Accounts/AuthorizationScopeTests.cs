using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Storefront.Tests.Accounts;

/// <summary>
/// Authorization runs only for endpoints with rules: for the others it has nothing to decide, and while it runs it
/// holds its frame and the request's Items for as long as the request waits. Seen through the key the framework's
/// authorization middleware leaves in Items (it marks that it ran, for the endpoint middleware's check), read when the
/// answer starts. If WebApplication added a middleware of its own in front, every request would carry it.
/// </summary>
[ServerFree]
public sealed class AuthorizationScopeTests : IClassFixture<AuthorizationScopeTests.RecordingFactory>
{
    private readonly RecordingFactory _factory;

    public AuthorizationScopeTests(RecordingFactory factory) => _factory = factory;

    [Fact]
    public async Task An_endpoint_without_rules_is_not_authorized()
    {
        using var client = _factory.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
        Assert.False(_factory.Authorized["/"]);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/slow?seconds=0")).StatusCode);
        Assert.False(_factory.Authorized["/slow"]);
    }

    [Fact]
    public async Task An_endpoint_with_rules_is_authorized_with_credentials_and_without()
    {
        using var anonymous = _factory.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/users/me")).StatusCode);
        Assert.True(_factory.Authorized["/users/me"]);

        using var signedIn = await _factory.CreateAuthenticatedClientAsync();
        Assert.Equal(HttpStatusCode.OK, (await signedIn.GetAsync("/users/me")).StatusCode);
        Assert.True(_factory.Authorized["/users/me"]);
    }

    public sealed class RecordingFactory : SqliteStorefrontFactory
    {
        // AuthorizationMiddleware.AuthorizationMiddlewareWithEndpointInvokedKey.
        private const string AuthorizedKey = "__AuthorizationMiddlewareWithEndpointInvoked";

        public RecordingFactory() =>
            WithServices(services => services.AddSingleton<IStartupFilter>(new Recorder(Authorized)));

        public ConcurrentDictionary<string, bool> Authorized { get; } = new();

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
    }
}
