namespace Storefront.Tests.Accounts;

/// <summary>
/// Authentication runs only for requests that carry credentials: an anonymous request has nothing to authenticate,
/// and on the cheapest endpoints the handler's per-request work is a visible share of the CPU.
/// </summary>
[ServerFree]
public sealed class AuthenticationScopeTests(AuthRecordingFactory factory) : IClassFixture<AuthRecordingFactory>
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
    public async Task A_protected_endpoint_still_refuses_a_request_without_credentials()
    {
        using var client = factory.CreateClient();

        var response = await client.GetAsync("/users/me");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
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
}
