using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Storefront.Tests.Infrastructure;

internal static class TestAccounts
{
    public const string Password = "a long enough passphrase";

    public static string NewUsername() => $"user_{Guid.NewGuid().ToString("N")[..12]}";

    public static async Task<int> RegisterAsync(HttpClient client, string username, string email, string password = Password)
    {
        var response = await client.PostAsJsonAsync("/register", new { username, email, password });
        var body = await response.ShouldBeJsonAsync(HttpStatusCode.Created);
        Assert.Equal("User registered", body.GetProperty("msg").GetString());
        return body.GetProperty("id").GetInt32();
    }

    public static Task<HttpResponseMessage> LoginAsync(HttpClient client, string username, string password) =>
        client.PostAsync("/token", new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = username, ["password"] = password }));

    public static async Task<string> RegisterAndLoginAsync(HttpClient client)
    {
        var username = NewUsername();
        await RegisterAsync(client, username, $"{username}@example.com");
        var token = await (await LoginAsync(client, username, Password)).ShouldBeJsonAsync();
        return token.GetProperty("access_token").GetString()!;
    }

    /// <summary>
    /// A token signed with the test hosts' key (<see cref="StorefrontFactory.SigningKey"/>), issuer, audience and lifetime
    /// all as the service issues them: only the claims differ, so whatever the service refuses it refuses for them.
    /// </summary>
    public static string Forge(params Claim[] claims)
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity(claims),
            Issuer = "storefront",
            Audience = "storefront",
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddHours(1),
            SigningCredentials = new SigningCredentials(
                new SymmetricSecurityKey(Convert.FromBase64String(StorefrontFactory.SigningKey)), SecurityAlgorithms.HmacSha256),
        });
    }
}
