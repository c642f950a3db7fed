using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Storefront.Api.Accounts;
using Storefront.Api.Data;

namespace Storefront.Tests.Accounts;

/// <summary>
/// A correctly signed token is not enough: its subject must be one current user. Every endpoint that needs a user
/// is found from the app's own endpoint metadata, so a protected endpoint added later is covered without editing this.
/// </summary>
[ServerFree]
public sealed class TokenSubjectTests(SqliteStorefrontFactory factory) : ClientTests<SqliteStorefrontFactory>(factory), IClassFixture<SqliteStorefrontFactory>
{
    /// <summary>RFC 6750's answer to a bad token, with no word on what was wrong with it.</summary>
    private const string InvalidToken = "Bearer error=\"invalid_token\"";



    [Theory]
    [InlineData("missing")]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData("1.0")]
    [InlineData(" 1")]
    [InlineData("0")]
    [InlineData("99999999999")]
    [InlineData("2000000000")] // Well formed, but nobody's.
    [InlineData("two subjects")]
    public async Task Every_endpoint_that_needs_a_user_refuses_a_signed_token_whose_subject_is_not_a_user(string subject)
    {
        var realId = await RegisterAsync();
        var claims = subject switch
        {
            "missing" => [new Claim("unique_name", "forger")],
            // Two "sub" claims become a JSON array: which one is meant? Neither.
            "two subjects" => [new Claim("sub", Id(realId)), new Claim("sub", Id(realId + 1000)), new Claim("unique_name", "forger")],
            _ => new[] { new Claim("sub", subject), new Claim("unique_name", "forger") },
        };
        var token = TestAccounts.Forge(claims);

        var wrong = new List<string>();
        foreach (var (method, path) in ProtectedEndpoints())
        {
            var response = await SendAsync(method, path, token);
            if (response.StatusCode != HttpStatusCode.Unauthorized)
                wrong.Add($"{method} {path} accepted it: {(int)response.StatusCode}");
            else if (response.Headers.WwwAuthenticate.ToString() != InvalidToken)
                wrong.Add($"{method} {path} refused it with WWW-Authenticate: {response.Headers.WwwAuthenticate}");
            else
                await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        }
        Assert.True(wrong.Count == 0, $"A token with subject '{subject}': {string.Join("; ", wrong)}");
    }

    [Fact]
    public async Task The_same_token_with_a_real_subject_gets_past_authentication_everywhere()
    {
        // Guards the test above: its tokens differ from an accepted one in the subject alone.
        // A token of its own per endpoint (its own jti), and "log out everywhere" last: /logout and /logout-all end the
        // token they are called with, which is what they are for.
        var id = Id(await RegisterAsync());
        foreach (var (method, path) in ProtectedEndpoints().OrderBy(e => e.Path == "/logout-all"))
        {
            var token = TestAccounts.Forge(new Claim("sub", id), new Claim("unique_name", "forger"), new Claim("jti", Guid.NewGuid().ToString("N")));
            Assert.NotEqual(HttpStatusCode.Unauthorized, (await SendAsync(method, path, token)).StatusCode);
        }
    }

    [Fact]
    public void The_protected_endpoints_are_read_from_the_apps_metadata()
    {
        // Guards the reader: these need a user today, so a reader that finds nothing would pass everything.
        var found = ProtectedEndpoints().ToHashSet();
        foreach (var expected in new[] { ("GET", "/users/me"), ("GET", "/users"), ("POST", "/send-email"), ("POST", "/items"),
                     ("PUT", "/items/1"), ("DELETE", "/items/1") })
            Assert.Contains(expected, found);
        Assert.DoesNotContain(("GET", "/items/1"), found);
    }

    [Fact]
    public async Task A_deleted_users_token_is_refused_everywhere()
    {
        using var client = await Factory.CreateAuthenticatedClientAsync();
        var id = (await (await client.GetAsync("/users/me")).ShouldBeJsonAsync<UserResponse>()).Id;
        // Past authentication (only admins may list users; that check comes after the user check).
        await (await client.GetAsync("/users")).ShouldBeProblemAsync(HttpStatusCode.Forbidden);

        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StorefrontDbContext>();
            Assert.Equal(1, await db.Users.Where(u => u.Id == id).ExecuteDeleteAsync());
        }

        // An existing user may be remembered briefly (Jwt__UserCheckCacheSeconds); after that the token is worthless.
        var token = client.DefaultRequestHeaders.Authorization!.Parameter!;
        // GET /users, not /users/me: the latter's handler looks the user up itself, past the remembered check.
        await Eventually.TrueAsync(async () => (await client.GetAsync("/users")).StatusCode == HttpStatusCode.Unauthorized,
            TimeSpan.FromSeconds(30), "GET /users refuses the deleted user's token");
        foreach (var (method, path) in ProtectedEndpoints())
        {
            var response = await SendAsync(method, path, token);
            await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
            Assert.Equal(InvalidToken, response.Headers.WwwAuthenticate.ToString());
        }
    }

    [Theory]
    [MemberData(nameof(AccountTests.BadTokens), MemberType = typeof(AccountTests))]
    public async Task A_bad_token_is_invalid_token_without_a_description_of_why(string token)
    {
        foreach (var (method, path) in ProtectedEndpoints())
        {
            var response = await SendAsync(method, path, token);
            await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
            Assert.Equal(InvalidToken, response.Headers.WwwAuthenticate.ToString());
        }
    }

    [Fact]
    public async Task Without_a_token_the_challenge_is_a_plain_bearer()
    {
        // No token is not a bad token (RFC 6750 section 3.1): no error code at all.
        var response = await Client.GetAsync("/users/me");
        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
    }

    /// <summary>
    /// Method and a concrete path for every endpoint with authorization metadata (route values: 1). The host is running:
    /// the constructor made a client.
    /// </summary>
    private IEnumerable<(string Method, string Path)> ProtectedEndpoints()
    {
        var endpoints = Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();
        foreach (var endpoint in endpoints)
        {
            if (endpoint.Metadata.GetMetadata<IAuthorizeData>() is null || endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null) continue;
            var path = "/" + string.Join("/", endpoint.RoutePattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part =>
                part is Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal ? literal.Content : "1"))));
            // HEAD answers as GET does, without the body this test reads (HeadRequestTests checks that pairing).
            foreach (var method in (endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Where(m => m != HttpMethods.Head))
                yield return (method, path);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(string method, string path, string token)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await Client.SendAsync(request);
    }

    private async Task<int> RegisterAsync()
    {
        var username = TestAccounts.NewUsername();
        return await TestAccounts.RegisterAsync(Client, username, $"{username}@example.com");
    }

    private static string Id(int id) => id.ToString(CultureInfo.InvariantCulture);
}
