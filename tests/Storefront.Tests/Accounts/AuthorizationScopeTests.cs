namespace Storefront.Tests.Accounts;

/// <summary>
/// Authorization runs only for endpoints with rules: for the others it has nothing to decide, and while it runs it
/// holds its frame and the request's Items for as long as the request waits. Seen through the key the framework's
/// authorization middleware leaves in Items (it marks that it ran, for the endpoint middleware's check). If
/// WebApplication added a middleware of its own in front, every request would carry it.
/// </summary>
[ServerFree]
public sealed class AuthorizationScopeTests(AuthRecordingFactory factory) : IClassFixture<AuthRecordingFactory>
{
    [Fact]
    public async Task An_endpoint_without_rules_is_not_authorized()
    {
        using var client = factory.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
        Assert.False(factory.Authorized["/"]);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/slow?seconds=0")).StatusCode);
        Assert.False(factory.Authorized["/slow"]);
    }

    [Fact]
    public async Task An_endpoint_with_rules_is_authorized_with_credentials_and_without()
    {
        using var anonymous = factory.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/users/me")).StatusCode);
        Assert.True(factory.Authorized["/users/me"]);

        using var signedIn = await factory.CreateAuthenticatedClientAsync();
        Assert.Equal(HttpStatusCode.OK, (await signedIn.GetAsync("/users/me")).StatusCode);
        Assert.True(factory.Authorized["/users/me"]);
    }
}
