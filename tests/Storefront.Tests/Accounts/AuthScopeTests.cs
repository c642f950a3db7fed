namespace Storefront.Tests.Accounts;

/// <summary>
/// Authentication runs only for requests that carry credentials, authorization only for endpoints with rules: an
/// anonymous request has nothing to authenticate and an endpoint without rules nothing to decide, and on the cheapest
/// endpoints their per-request work (authorization holds its frame and the request's Items for as long as the request
/// waits) is a visible share of the CPU. If WebApplication added a middleware of its own in front, every request would
/// carry it.
/// </summary>
[ServerFree]
public sealed class AuthScopeTests(AuthRecordingFactory factory) : IClassFixture<AuthRecordingFactory>
{
    [Fact]
    public async Task A_request_without_credentials_is_not_authenticated()
    {
        using var client = factory.CreateClient();
        factory.ResetAuthentications();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/items?limit=1")).StatusCode);

        Assert.Equal(0, factory.Authentications);
    }

    [Fact]
    public async Task A_request_with_a_token_is_authenticated()
    {
        using var client = await factory.CreateAuthenticatedClientAsync();
        factory.ResetAuthentications();

        var response = await client.GetAsync("/users/me");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(factory.Authentications > 0, "the bearer token was never authenticated");
    }

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
