using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Storefront.Api.Accounts;
using Storefront.Api.Data;

namespace Storefront.Tests.Accounts;

/// <summary>
/// A stolen token can be ended (logout, logout everywhere, password change, reset), a forgotten
/// password recovered by mail with a one-time token, the user list is for admins, and /register keeps quiet about
/// which addresses hold accounts. On both stores, with real SMTP delivery.
/// </summary>
public abstract partial class AccountLifecycleTests : IDisposable
{
    private const string Admin = "lifecycle_admin";
    private const string NewPassword = "another fine passphrase";
    private readonly StorefrontFactory _factory;
    private readonly HttpClient _client;

    protected AccountLifecycleTests(StorefrontFactory factory)
    {
        _factory = factory.With(Mailbox.Settings);
        _client = factory.CreateClient();
    }

    public void Dispose()
    {
        _client.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task A_password_change_ends_every_earlier_token_and_only_the_new_password_signs_in()
    {
        var (username, _) = await RegisterAsync();
        var first = await LoginAsync(username, TestAccounts.Password);
        var second = await LoginAsync(username, TestAccounts.Password);

        await (await ChangePasswordAsync(first, "not the passphrase", NewPassword)).ShouldBeValidationProblemAsync("current_password");
        await (await ChangePasswordAsync(first, TestAccounts.Password, "short")).ShouldBeValidationProblemAsync("new_password");
        await (await ChangePasswordAsync(first, TestAccounts.Password, $"x{username}x")).ShouldBeValidationProblemAsync("new_password");
        await (await MeAsync(first)).ShouldBeJsonAsync(); // Refused changes end nothing.

        Assert.Equal(HttpStatusCode.NoContent, (await ChangePasswordAsync(first, TestAccounts.Password, NewPassword)).StatusCode);
        await (await MeAsync(first)).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        await (await MeAsync(second)).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        await (await TestAccounts.LoginAsync(_client, username, TestAccounts.Password)).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        await (await MeAsync(await LoginAsync(username, NewPassword))).ShouldBeJsonAsync();
    }

    [Fact]
    public async Task Logout_ends_the_token_it_is_called_with_and_no_other()
    {
        var (username, _) = await RegisterAsync();
        var ended = await LoginAsync(username, TestAccounts.Password);
        var kept = await LoginAsync(username, TestAccounts.Password);

        Assert.Equal(HttpStatusCode.NoContent, (await PostAsync("/logout", ended)).StatusCode);
        await (await MeAsync(ended)).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        await (await PostAsync("/logout", ended)).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        await (await MeAsync(kept)).ShouldBeJsonAsync();
    }

    [Fact]
    public async Task Logout_all_ends_every_token_of_the_user_and_later_logins_work()
    {
        var (username, _) = await RegisterAsync();
        var tokens = new[] { await LoginAsync(username, TestAccounts.Password), await LoginAsync(username, TestAccounts.Password) };
        var stranger = await TestAccounts.RegisterAndLoginAsync(_client);

        Assert.Equal(HttpStatusCode.NoContent, (await PostAsync("/logout-all", tokens[0])).StatusCode);
        foreach (var token in tokens) await (await MeAsync(token)).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        await (await MeAsync(stranger)).ShouldBeJsonAsync();
        await (await MeAsync(await LoginAsync(username, TestAccounts.Password))).ShouldBeJsonAsync();
    }

    [Fact]
    public async Task Recovery_mails_a_single_use_token_that_resets_the_password_and_ends_earlier_tokens()
    {
        var (username, email) = await RegisterAsync();
        var before = await LoginAsync(username, TestAccounts.Password);

        var known = await (await _client.PostAsJsonAsync("/password-recovery", new { email = email.ToUpperInvariant() }))
            .ShouldBeJsonAsync(HttpStatusCode.Accepted);
        var unknown = await (await _client.PostAsJsonAsync("/password-recovery", new { email = $"nobody-{username}@example.com" }))
            .ShouldBeJsonAsync(HttpStatusCode.Accepted);
        Assert.Equal(known.ToString(), unknown.ToString()); // Nothing tells the two apart.

        var token = await MailedTokenAsync(email);
        await (await ResetAsync(token, "short")).ShouldBeValidationProblemAsync("new_password");
        await (await ResetAsync("not-a-token-anyone-was-sent", NewPassword)).ShouldBeValidationProblemAsync("token");
        Assert.Equal(HttpStatusCode.NoContent, (await ResetAsync(token, NewPassword)).StatusCode);

        await (await ResetAsync(token, "yet another passphrase")).ShouldBeValidationProblemAsync("token"); // Single use.
        await (await MeAsync(before)).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        await (await TestAccounts.LoginAsync(_client, username, TestAccounts.Password)).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        await (await MeAsync(await LoginAsync(username, NewPassword))).ShouldBeJsonAsync();
    }

    [Fact]
    public async Task An_expired_recovery_token_is_refused()
    {
        var (_, email) = await RegisterAsync();
        await (await _client.PostAsJsonAsync("/password-recovery", new { email })).ShouldBeJsonAsync(HttpStatusCode.Accepted);
        var token = await MailedTokenAsync(email);
        await using (var scope = _factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StorefrontDbContext>();
            var userId = await db.Users.Where(u => u.NormalizedEmail == email).Select(u => u.Id).SingleAsync();
            await db.PasswordResets.Where(r => r.UserId == userId).ExecuteUpdateAsync(set => set.SetProperty(r => r.ExpiresMs, 1L));
        }
        await (await ResetAsync(token, NewPassword)).ShouldBeValidationProblemAsync("token");
    }

    [Fact]
    public async Task Recovery_mails_to_one_account_are_capped_per_hour_while_every_answer_stays_202()
    {
        var (_, email) = await RegisterAsync();
        for (var i = 0; i < 5; i++)
            await (await _client.PostAsJsonAsync("/password-recovery", new { email })).ShouldBeJsonAsync(HttpStatusCode.Accepted);
        await using var scope = _factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorefrontDbContext>();
        var userId = await db.Users.Where(u => u.NormalizedEmail == email).Select(u => u.Id).SingleAsync();
        Assert.Equal(new PasswordRecoveryOptions().MailsPerHour, await db.PasswordResets.CountAsync(r => r.UserId == userId));
    }

    [Fact]
    public async Task Register_with_a_taken_email_answers_like_a_registration_and_mails_the_owner_instead()
    {
        var (_, email) = await RegisterAsync();
        var other = TestAccounts.NewUsername();
        var first = await _client.PostAsJsonAsync("/register", new { username = other, email = email.ToUpperInvariant(), password = TestAccounts.Password });
        var body = await first.ShouldBeJsonAsync<RegisterResponse>(HttpStatusCode.Created);
        Assert.Equal("User registered", body.Msg);
        var fresh = TestAccounts.NewUsername();
        var next = await TestAccounts.RegisterAsync(_client, fresh, $"{fresh}@example.com");
        Assert.True(body.Id < next, "the answered id comes from the same sequence as real ones");

        await Eventually.TrueAsync(() => Mailbox.Received(email).Any(m => m.Contains("already has one", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(20), $"the owner of {email} is told someone tried to register it");
        // No second account was made with the address.
        await (await TestAccounts.LoginAsync(_client, other, TestAccounts.Password)).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        // A taken username is still said: it is public, and one cannot choose another without knowing.
        var sameName = await _client.PostAsJsonAsync("/register", new { username = fresh, email = $"x-{fresh}@example.com", password = TestAccounts.Password });
        Assert.Equal("username", (await sameName.ShouldBeProblemAsync(HttpStatusCode.Conflict)).Member<string>("field"));
    }

    [Fact]
    public async Task The_user_list_is_for_admins_only()
    {
        var user = await TestAccounts.RegisterAndLoginAsync(_client);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/users");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", user);
        await (await _client.SendAsync(request)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        using var admin = await _factory.CreateAdminClientAsync(Admin);
        var list = await (await admin.GetAsync("/users?limit=100")).ShouldBeJsonAsync<UserListResponse>();
        Assert.True(list.Total >= 2);
    }

    private async Task<(string Username, string Email)> RegisterAsync()
    {
        var username = TestAccounts.NewUsername();
        var email = $"{username}@example.com";
        await TestAccounts.RegisterAsync(_client, username, email);
        return (username, email);
    }

    private async Task<string> LoginAsync(string username, string password) =>
        await TestAccounts.TokenAsync(_client, username, password);

    private Task<HttpResponseMessage> MeAsync(string token) => SendAsync(HttpMethod.Get, "/users/me", token, null);

    private Task<HttpResponseMessage> PostAsync(string path, string token) => SendAsync(HttpMethod.Post, path, token, null);

    private Task<HttpResponseMessage> ChangePasswordAsync(string token, string current, string next) =>
        SendAsync(HttpMethod.Post, "/users/me/password", token, JsonContent.Create(new { current_password = current, new_password = next }));

    private Task<HttpResponseMessage> ResetAsync(string token, string password) =>
        _client.PostAsJsonAsync("/reset-password", new { token, new_password = password });

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string token, HttpContent? content)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await _client.SendAsync(request);
    }

    private static async Task<string> MailedTokenAsync(string email)
    {
        var messages = await Eventually.ValueAsync(() => Task.FromResult(Mailbox.Received(email)),
            found => found.Any(m => TokenLine().IsMatch(m)), TimeSpan.FromSeconds(20), $"a recovery mail to {email}");
        return TokenLine().Match(messages.First(m => TokenLine().IsMatch(m))).Groups[1].Value;
    }

    [GeneratedRegex(@"Reset token: ([A-Za-z0-9_-]+)")]
    private static partial Regex TokenLine();
}

public sealed class SqliteAccountLifecycleTests(SqliteStorefrontFactory factory)
    : AccountLifecycleTests(factory), IClassFixture<SqliteStorefrontFactory>;

public sealed class PostgresAccountLifecycleTests(PostgresStorefrontFactory factory)
    : AccountLifecycleTests(factory), IClassFixture<PostgresStorefrontFactory>;
