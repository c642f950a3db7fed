using System.Net;
using System.Net.Http.Json;

namespace Storefront.Tests.Infrastructure;

internal static class Accounts
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
}
