using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Storefront.Api.Accounts;

namespace Storefront.Tests.Infrastructure;

internal static class TestAccounts
{
    public const string Password = "a long enough passphrase";

    public static string NewUsername() => $"user_{Guid.NewGuid().ToString("N")[..12]}";

    public static async Task<int> RegisterAsync(HttpClient client, string username, string email, string password = Password)
    {
        var response = await WhenNotBusyAsync(() => client.PostAsJsonAsync("/register", new { username, email, password }));
        var registered = await response.ShouldBeJsonAsync<RegisterResponse>(HttpStatusCode.Created);
        Assert.Equal("User registered", registered.Msg);
        return registered.Id;
    }

    public static Task<HttpResponseMessage> LoginAsync(HttpClient client, string username, string password) =>
        client.PostAsync("/token", new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = username, ["password"] = password }));

    /// <summary>A login that fails (no such user), its X-Forwarded-For naming <paramref name="forwardedFor"/>: the client a trusted proxy would say it came from.</summary>
    public static async Task<HttpResponseMessage> LoginFromAsync(HttpClient client, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = "nobody", ["password"] = "whatever123" }),
        };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return await client.SendAsync(request);
    }

    public static async Task<string> RegisterAndLoginAsync(HttpClient client)
    {
        var username = NewUsername();
        await RegisterAsync(client, username, $"{username}@example.com");
        return await TokenAsync(client, username);
    }

    /// <summary>Logs in (200 or the test fails); the access token.</summary>
    public static async Task<string> TokenAsync(HttpClient client, string username, string password = Password) =>
        (await (await WhenNotBusyAsync(() => LoginAsync(client, username, password))).ShouldBeJsonAsync<TokenResponse>()).AccessToken;

    /// <summary>
    /// A setup step's request, sent again while the service answers 503 (its password hashing is saturated, as it is
    /// when the whole suite runs on a loaded machine) after the Retry-After it names, as a client should. Tests of the
    /// 503 itself send their requests directly.
    /// </summary>
    public static async Task<HttpResponseMessage> WhenNotBusyAsync(Func<Task<HttpResponseMessage>> send)
    {
        for (var attempt = 1; ; attempt++)
        {
            var response = await send();
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == 10) return response;
            var pause = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
            response.Dispose();
            await Task.Delay(pause < TimeSpan.FromSeconds(2) ? pause : TimeSpan.FromSeconds(2));
        }
    }

    /// <summary>
    /// A token signed with the test hosts' key (<see cref="StorefrontFactory.SigningKey"/>), issuer, audience and lifetime
    /// all as the service issues them: only the claims differ, so whatever the service refuses it refuses for them.
    /// </summary>
    public static string Forge(params Claim[] claims) => new JsonWebTokenHandler().CreateToken(Descriptor(claims));

    /// <summary>What <see cref="Forge"/> signs, for a test that changes more than the claims (a header of its own).</summary>
    public static SecurityTokenDescriptor Descriptor(params Claim[] claims)
    {
        var now = DateTime.UtcNow;
        return new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity(claims),
            Issuer = "storefront",
            Audience = "storefront",
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddHours(1),
            SigningCredentials = new SigningCredentials(
                new SymmetricSecurityKey(Convert.FromBase64String(StorefrontFactory.SigningKey)), SecurityAlgorithms.HmacSha256),
        };
    }
}
