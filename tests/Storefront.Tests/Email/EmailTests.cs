using System.Globalization;
using MimeKit;
using Storefront.Api.Jobs;
using Storefront.Tests.Jobs;
using Storefront.Tests.Accounts;

namespace Storefront.Tests.Email;

/// <summary>The embedded default: no SMTP host, so mail goes to the pickup folder under Storage__Path.</summary>
[ServerFree]
public sealed class PickupFolderTests(SqliteStorefrontFactory factory) : ClientTests<SqliteStorefrontFactory>(factory), IClassFixture<SqliteStorefrontFactory>
{
    [Fact]
    public async Task Without_a_host_the_welcome_mail_is_a_complete_eml_file_in_the_pickup_folder()
    {
        var username = TestAccounts.NewUsername();
        await TestAccounts.RegisterAsync(Client, username, $"{username}@example.com");
        var folder = Path.Combine(Factory.StoragePath, "mail");

        string? file = null;
        await Eventually.TrueAsync(() => (file = FindMessageFor(folder, username)) is not null, TimeSpan.FromSeconds(20), "a .eml for the new user");

        Assert.Empty(Directory.EnumerateFiles(folder, "*.tmp")); // Written under a temporary name, then renamed.
        using var message = await MimeMessage.LoadAsync(file!);
        Assert.Equal($"{username}@example.com", Assert.Single(message.To.Mailboxes).Address);
        Assert.Equal("no-reply@storefront.local", Assert.Single(message.From.Mailboxes).Address);
        Assert.Equal("Welcome to Storefront", message.Subject);
        var text = Assert.IsType<TextPart>(message.Body);
        Assert.Equal(ContentEncoding.QuotedPrintable, text.ContentTransferEncoding); // Readable as it lies in the folder.
        Assert.Equal($"Hello {username},\n\nyour Storefront account is ready.\n", text.Text.ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("jürgen@example.com")]
    [InlineData("用户@example.com")]
    public async Task A_non_ascii_local_part_is_refused_with_a_400_naming_email_on_register_and_send_email(string email)
    {
        var register = await Client.PostAsJsonAsync("/register", new { username = TestAccounts.NewUsername(), email, password = TestAccounts.Password });
        var problem = await register.ShouldBeValidationProblemAsync("email");
        Assert.Contains("ASCII", problem.Errors!["email"][0], StringComparison.Ordinal);

        using var client = await Factory.CreateAuthenticatedClientAsync();
        await (await client.PostAsync($"/send-email?email={Uri.EscapeDataString(email)}", null)).ShouldBeValidationProblemAsync("email");
    }

    [Theory]
    [InlineData("<ann@example.com>")]
    [InlineData("ann@example.com (Ann)")]
    [InlineData("ann@example.com.")]
    [InlineData("ann@example.com, bob@example.com")]
    public async Task Anything_but_a_bare_address_is_refused_on_send_email(string email)
    {
        using var client = await Factory.CreateAuthenticatedClientAsync();
        await (await client.PostAsync($"/send-email?email={Uri.EscapeDataString(email)}", null)).ShouldBeValidationProblemAsync("email");
    }

    private static string? FindMessageFor(string folder, string text) => !Directory.Exists(folder) ? null
        : Directory.EnumerateFiles(folder, "*.eml").FirstOrDefault(f => File.ReadAllText(f).Contains(text, StringComparison.Ordinal));
}

/// <summary>Through MailKit to the run's real SMTP server (aiosmtpd, which does not offer SMTPUTF8).</summary>
public sealed class SmtpDeliveryTests(ConfiguredFactory<MailboxSmtp> factory) : IClassFixture<ConfiguredFactory<MailboxSmtp>>
{
    [Fact]
    public async Task An_internationalized_domain_is_accepted_and_delivered_as_punycode()
    {
        using var client = await factory.CreateAuthenticatedClientAsync();
        var local = $"ann-{Guid.NewGuid():N}";
        var response = await client.PostAsync($"/send-email?email={Uri.EscapeDataString($"{local}@bücher.example")}", null);
        await JobTestSupport.WaitForStatusAsync(client, await JobTestSupport.AcceptedJobAsync(response), TimeSpan.FromSeconds(20), "succeeded");

        var message = Assert.Single(await Mailbox.WaitForAsync(local, TimeSpan.FromSeconds(5)));
        Assert.Contains($"X-RcptTo: {local}@xn--bcher-kva.example", message, StringComparison.Ordinal); // The envelope.
        Assert.Contains($"To: {local}@xn--bcher-kva.example", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Security_StartTls_fails_the_attempt_against_a_server_without_starttls()
    {
        await using var strict = new SqliteStorefrontFactory();
        strict.With(Mailbox.Settings).With("Smtp:Security", "StartTls").With("Jobs:MaxAttempts", "1");
        using var client = await strict.CreateAuthenticatedClientAsync();
        var local = $"tls-{Guid.NewGuid():N}";

        var job = await SendAndWaitAsync(client, $"{local}@example.com", "dead");

        Assert.Contains("STARTTLS", job.LastError, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(Mailbox.Received(local)); // Never sent in plain text.
    }

    internal static async Task<JobResponse> SendAndWaitAsync(HttpClient client, string email, params string[] statuses)
    {
        var id = await JobTestSupport.AcceptedJobAsync(await client.PostAsync($"/send-email?email={Uri.EscapeDataString(email)}", null));
        return await JobTestSupport.WaitForJobAsync(client, id, TimeSpan.FromSeconds(30), statuses);
    }
}

/// <summary>Servers that misbehave: the send must end, and a permanent refusal must not be retried.</summary>
[ServerFree]
public sealed class SmtpFailureTests
{
    [Fact]
    public async Task A_server_that_never_answers_fails_the_attempt_after_Smtp_TimeoutMs_and_it_is_retried()
    {
        using var server = new HangingSmtpServer(); // Accepts the connection, never sends a byte.
        await using var factory = new SqliteStorefrontFactory();
        // Jobs__TimeoutSeconds stays at its 300 s default: only the SMTP timeout can end these attempts in time.
        factory.With("Smtp:Host", "127.0.0.1").With("Smtp:Port", server.Port.ToString(CultureInfo.InvariantCulture))
            .With("Smtp:TimeoutMs", "1000").With("Jobs:MaxAttempts", "2");
        using var client = await factory.CreateAuthenticatedClientAsync();

        var job = await SmtpDeliveryTests.SendAndWaitAsync(client, "slow@example.com", "dead");

        Assert.Equal(2, job.Attempts);
        Assert.Contains("took longer than 1000 ms (Smtp__TimeoutMs)", job.LastError, StringComparison.Ordinal);
        Assert.True(server.Connections >= 2, $"{server.Connections} connection(s)");
    }

    [Fact]
    public async Task A_recipient_refused_with_550_ends_the_job_dead_without_retries()
    {
        await using var server = new RefusingSmtpServer();
        await using var factory = new SqliteStorefrontFactory();
        factory.With("Smtp:Host", "127.0.0.1").With("Smtp:Port", server.Port.ToString(CultureInfo.InvariantCulture))
            .With("Jobs:MaxAttempts", "5");
        using var client = await factory.CreateAuthenticatedClientAsync();

        var job = await SmtpDeliveryTests.SendAndWaitAsync(client, "nobody@example.com", "dead");

        Assert.Equal(1, job.Attempts);
        Assert.Contains("550", job.LastError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Smtp:Security", "Sometimes", "Smtp:Security")]
    [InlineData("Smtp:Security", "7", "Smtp__Security")]
    [InlineData("Smtp:From", "not an address", "Smtp__From")]
    public void An_invalid_smtp_setting_stops_startup_naming_it(string key, string value, string named)
    {
        using var factory = new SqliteStorefrontFactory();
        factory.With(key, value);
        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains(named, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void EnableSsl_with_Security_None_stops_startup()
    {
        using var factory = new SqliteStorefrontFactory();
        factory.With("Smtp:EnableSsl", "true").With("Smtp:Security", "None");
        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains("Smtp__EnableSsl", error.ToString(), StringComparison.Ordinal);
    }
}
