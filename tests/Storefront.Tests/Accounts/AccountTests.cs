using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Storefront.Api.Accounts;

namespace Storefront.Tests.Accounts;

/// <summary>Accounts with real SMTP delivery of the welcome mail.</summary>
public sealed class AccountTests(ConfiguredFactory<MailboxSmtp> factory) : ClientTests<ConfiguredFactory<MailboxSmtp>>(factory), IClassFixture<ConfiguredFactory<MailboxSmtp>>
{
    internal const string Admin = "accounts_admin";

    [Fact]
    public async Task Register_token_and_me_round_trip()
    {
        var username = TestAccounts.NewUsername();
        var id = await TestAccounts.RegisterAsync(Client, username, $"{username}@example.com");
        var token = await (await TestAccounts.LoginAsync(Client, username, TestAccounts.Password)).ShouldBeJsonAsync<TokenResponse>();
        Assert.Equal("bearer", token.TokenType);
        Assert.Equal(3600, token.ExpiresIn);

        using var me = new HttpRequestMessage(HttpMethod.Get, "/users/me");
        me.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
        var body = await (await Client.SendAsync(me)).ShouldBeJsonAsync();
        var user = body.Deserialize<UserResponse>(HttpAssertions.Answers)!;
        Assert.Equal((id, username, $"{username}@example.com"), (user.Id, user.Username, user.Email));
        Assert.False(body.TryGetProperty("password_hash", out _));
    }

    [Fact]
    public async Task Users_list_shows_names_but_no_emails_or_hashes()
    {
        using var client = await Factory.CreateAdminClientAsync(Admin);
        var body = await (await client.GetAsync("/users?limit=100")).ShouldBeJsonAsync();
        Assert.True(body.Deserialize<UserListResponse>(HttpAssertions.Answers)!.Total >= 1);
        // The shape itself: a member more (an email, a hash) would be read past by a record.
        foreach (var user in body.GetProperty("users").EnumerateArray())
        {
            Assert.Equal(["id", "username", "created_at"], user.EnumerateObject().Select(p => p.Name));
        }
        await (await client.GetAsync("/users?limit=0")).ShouldBeValidationProblemAsync("limit");
    }

    [Fact]
    public async Task The_welcome_email_reaches_the_smtp_server()
    {
        var username = TestAccounts.NewUsername();
        await TestAccounts.RegisterAsync(Client, username, $"{username}@example.com");
        var messages = await Mailbox.WaitForAsync($"{username}@example.com", TimeSpan.FromSeconds(20));
        var message = Assert.Single(messages);
        Assert.Contains("Welcome to Storefront", message, StringComparison.Ordinal);
        Assert.Contains($"Hello {username}", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_password_and_unknown_user_get_the_same_401()
    {
        var username = TestAccounts.NewUsername();
        await TestAccounts.RegisterAsync(Client, username, $"{username}@example.com");

        var wrong = await (await TestAccounts.LoginAsync(Client, username, "not the passphrase")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        var unknown = await (await TestAccounts.LoginAsync(Client, TestAccounts.NewUsername(), "not the passphrase"))
            .ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(wrong.Detail, unknown.Detail);
        // That both cost the same hash (no timing side channel) is counted, not timed: one verification each, the unknown
        // user's against the dummy hash (PasswordHashingTests).
    }

    [Fact]
    public async Task Duplicate_username_is_409_and_a_duplicate_email_is_not_revealed()
    {
        var username = TestAccounts.NewUsername();
        await TestAccounts.RegisterAsync(Client, username, $"{username}@example.com");

        var sameName = await Client.PostAsJsonAsync("/register", new { username = username.ToUpperInvariant(), email = $"other-{username}@example.com", password = TestAccounts.Password });
        var problem = await sameName.ShouldBeProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("username", problem.Member<string>("field"));

        // A taken address is answered as a registration is; its owner is mailed instead (AccountLifecycleTests).
        var otherName = TestAccounts.NewUsername();
        var sameEmail = await Client.PostAsJsonAsync("/register", new { username = otherName, email = $"{username.ToUpperInvariant()}@EXAMPLE.com", password = TestAccounts.Password });
        Assert.Equal("User registered", (await sameEmail.ShouldBeJsonAsync<RegisterResponse>(HttpStatusCode.Created)).Msg);
        await (await TestAccounts.LoginAsync(Client, otherName, TestAccounts.Password)).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("ab", "ok@example.com", "a long enough passphrase", "username")]
    [InlineData("has space", "ok@example.com", "a long enough passphrase", "username")]
    [InlineData("valid_name", "not-an-email", "a long enough passphrase", "email")]
    [InlineData("valid_name", "a@b", "a long enough passphrase", "email")]
    [InlineData("valid_name", "Ann <ann@example.com>", "a long enough passphrase", "email")]
    [InlineData("valid_name", "ok@example.com", "short", "password")]
    [InlineData("valid_name", "ok@example.com", "password123", "password")]
    [InlineData("valid_name", "ok@example.com", "aaaaaaaaaaaa", "password")]
    [InlineData("valid_name", "ok@example.com", "my valid_name pass", "password")]
    public async Task Bad_registrations_are_400_naming_the_field(string username, string email, string password, string field)
    {
        await (await Client.PostAsJsonAsync("/register", new { username, email, password })).ShouldBeValidationProblemAsync(field);
    }

    [Fact]
    public async Task Login_needs_a_form()
    {
        var response = await Client.PostAsJsonAsync("/token", new { username = "x", password = "y" });
        await response.ShouldBeProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    public static TheoryData<string> BadTokens
    {
        get
        {
            var now = DateTime.UtcNow;
            var rightKey = new SymmetricSecurityKey(Convert.FromBase64String(StorefrontFactory.SigningKey));
            var wrongKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes("some-other-key-that-is-long-enough-0123456789"));
            var expired = Forge(rightKey, now.AddHours(-2), now.AddHours(-1));
            var wronglySigned = Forge(wrongKey, now, now.AddHours(1));
            var valid = Forge(rightKey, now, now.AddHours(1));
            var parts = valid.Split('.');
            var tampered = $"{parts[0]}.{Base64UrlEncoder.Encode("{\"sub\":\"1\",\"iss\":\"storefront\",\"aud\":\"storefront\",\"exp\":4102444800}")}.{parts[2]}";
            var wrongAudience = Forge(rightKey, now, now.AddHours(1), audience: "someone-else");
            return new TheoryData<string> { expired, wronglySigned, tampered, wrongAudience, "not.a.jwt", "garbage" };
        }
    }

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task Expired_tampered_and_wrongly_signed_tokens_are_401(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/users/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await Client.SendAsync(request);
        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_the_service_would_accept_is_forged_the_same_way_the_bad_ones_are()
    {
        // Guards the test above: the forging code makes tokens the service accepts when nothing is wrong with them.
        var key = new SymmetricSecurityKey(Convert.FromBase64String(StorefrontFactory.SigningKey));
        using var client = await Factory.CreateAuthenticatedClientAsync();
        var me = await (await client.GetAsync("/users/me")).ShouldBeJsonAsync<UserResponse>();
        var forged = Forge(key, DateTime.UtcNow, DateTime.UtcNow.AddHours(1), subject: me.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/users/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", forged);
        await (await Client.SendAsync(request)).ShouldBeJsonAsync();
    }

    [Fact]
    public async Task Protected_endpoints_without_a_token_are_401()
    {
        await (await Client.GetAsync("/users/me")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        await (await Client.GetAsync("/users")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        await (await Client.PostAsync("/send-email?email=a@example.com", null)).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
    }

    private static string Forge(SecurityKey key, DateTime notBefore, DateTime expires, string audience = "storefront", string subject = "1") =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity([new Claim("sub", subject), new Claim("unique_name", "forger")]),
            Issuer = "storefront",
            Audience = audience,
            IssuedAt = notBefore,
            NotBefore = notBefore,
            Expires = expires,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
}

/// <summary>The per-client limits on login and register, with small numbers so the test reaches them.</summary>
[ServerFree]
public sealed class RateLimitTests
{
    [Fact]
    public async Task Too_many_logins_are_429_with_retry_after()
    {
        await using var factory = new SqliteStorefrontFactory();
        factory.With("RateLimits:LoginPermits", "3").With("RateLimits:WindowSeconds", "60");
        using var client = factory.CreateClient();
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await TestAccounts.LoginAsync(client, "nobody", "whatever123")).StatusCode);
        var limited = await TestAccounts.LoginAsync(client, "nobody", "whatever123");
        await limited.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.NotNull(limited.Headers.RetryAfter);
        Assert.InRange(limited.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 60);
    }

    [Fact]
    public async Task Too_many_registrations_are_429()
    {
        await using var factory = new SqliteStorefrontFactory();
        factory.With("RateLimits:RegisterPermits", "2");
        using var client = factory.CreateClient();
        for (var i = 0; i < 2; i++)
        {
            var name = TestAccounts.NewUsername();
            await TestAccounts.RegisterAsync(client, name, $"{name}@example.com");
        }
        var limited = await client.PostAsJsonAsync("/register", new { username = "one_more", email = "one@example.com", password = TestAccounts.Password });
        await limited.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.NotNull(limited.Headers.RetryAfter);
    }
}

/// <summary>Behind a reverse proxy the limits apply per real client, and only a trusted proxy can say who that is.</summary>
[ServerFree]
public sealed class ForwardedClientTests
{
    [Fact]
    public async Task With_a_trusted_proxy_each_forwarded_client_has_its_own_limit()
    {
        await using var factory = new SqliteStorefrontFactory();
        factory.With("RateLimits:LoginPermits", "2").With("Proxy:TrustedProxies:0", "127.0.0.0/8");
        using var client = factory.CreateClient();
        for (var i = 0; i < 2; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await TestAccounts.LoginFromAsync(client, "203.0.113.7")).StatusCode);
        await (await TestAccounts.LoginFromAsync(client, "203.0.113.7")).ShouldBeProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal(HttpStatusCode.Unauthorized, (await TestAccounts.LoginFromAsync(client, "198.51.100.9")).StatusCode);
    }

    [Fact]
    public async Task Without_a_trusted_proxy_a_forwarded_address_is_ignored()
    {
        await using var factory = new SqliteStorefrontFactory();
        factory.With("RateLimits:LoginPermits", "2");
        using var client = factory.CreateClient();
        for (var i = 0; i < 2; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await TestAccounts.LoginFromAsync(client, $"203.0.113.{i + 1}")).StatusCode);
        // A new X-Forwarded-For per attempt does not buy more attempts.
        await (await TestAccounts.LoginFromAsync(client, "203.0.113.99")).ShouldBeProblemAsync(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public void A_malformed_trusted_proxy_stops_startup_naming_the_setting()
    {
        using var factory = new SqliteStorefrontFactory();
        factory.With("Proxy:TrustedProxies:0", "not-an-address");
        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains("Proxy__TrustedProxies", error.ToString(), StringComparison.Ordinal);
    }
}

/// <summary>Outside Development, a missing signing key stops startup with a message saying what to set.</summary>
[ServerFree]
public sealed class SigningKeyTests
{
    [Fact]
    public void Startup_without_a_signing_key_fails_clearly_outside_development()
    {
        using var factory = new SqliteStorefrontFactory();
        factory.With("Jwt:SigningKey", "");
        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains("Jwt__SigningKey", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_previous_signing_key_stops_startup_naming_it()
    {
        using var factory = new SqliteStorefrontFactory();
        factory.With("Jwt:PreviousSigningKeys:0", "dG9vIHNob3J0"); // base64 of "too short"
        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains("Jwt__PreviousSigningKeys__0", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_a_key_rotation_old_tokens_work_while_the_old_key_is_listed_and_new_tokens_use_the_new_key()
    {
        var newKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48));
        await using var before = new SqliteStorefrontFactory();
        using var beforeClient = before.CreateClient();
        var oldToken = await TestAccounts.RegisterAndLoginAsync(beforeClient);

        // The same store restarted with the new key, once with the old key kept for checking and once without.
        await using var rotated = new SqliteStorefrontFactory();
        rotated.With("Storage:Path", before.StoragePath).With("Jwt:SigningKey", newKey)
            .With("Jwt:PreviousSigningKeys:0", StorefrontFactory.SigningKey);
        await using var forgotten = new SqliteStorefrontFactory();
        forgotten.With("Storage:Path", before.StoragePath).With("Jwt:SigningKey", newKey);
        using var rotatedClient = rotated.CreateClient();
        using var forgottenClient = forgotten.CreateClient();

        await (await MeAsync(rotatedClient, oldToken)).ShouldBeJsonAsync();
        await (await MeAsync(forgottenClient, oldToken)).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);

        var newToken = await TestAccounts.RegisterAndLoginAsync(rotatedClient);
        await (await MeAsync(forgottenClient, newToken)).ShouldBeJsonAsync(); // Signed with the new key...
        await (await MeAsync(beforeClient, newToken)).ShouldBeProblemAsync(HttpStatusCode.Unauthorized); // ...not the old one.
    }

    private static async Task<HttpResponseMessage> MeAsync(HttpClient client, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/users/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.SendAsync(request);
    }
}
