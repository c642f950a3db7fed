using System.Globalization;
using Microsoft.Extensions.Logging;
using Storefront.Api.Jobs;

namespace Storefront.Tests.Jobs;

/// <summary>
/// GET /jobs/{id} tells a job's details only to the user who queued it; to anyone else the job does not exist, and a
/// job nobody owns (/log) shows its status alone. What a failed attempt left in last_error is for that user's eyes,
/// and even so it names no recipient and quotes no mail server.
/// </summary>
[ServerFree]
public sealed class JobPrivacyTests
{
    [Fact]
    public async Task A_job_is_shown_only_to_the_user_who_queued_it_and_is_404_to_everyone_else()
    {
        await using var factory = new SqliteStorefrontFactory();
        using var owner = await factory.CreateAuthenticatedClientAsync();
        using var other = await factory.CreateAuthenticatedClientAsync();
        using var anonymous = factory.CreateClient();

        var id = await SendEmailAsync(owner, $"{Guid.NewGuid():N}@example.com");
        var job = await JobTestSupport.WaitForJobAsync(owner, id, TimeSpan.FromSeconds(20), "succeeded");
        Assert.Equal("email.send", job.Kind);
        Assert.Equal(1, job.Attempts);
        Assert.NotNull(job.FinishedAt);

        // Exactly the answer for a job that never existed, so a stranger learns nothing from it.
        var unknown = $"{Guid.NewGuid():N}";
        var expected = (await (await anonymous.GetAsync($"/jobs/{unknown}")).ShouldBeProblemAsync(HttpStatusCode.NotFound))
            .Detail.Replace(unknown, id, StringComparison.Ordinal);
        foreach (var stranger in new[] { other, anonymous })
        {
            var problem = await (await stranger.GetAsync($"/jobs/{id}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
            Assert.Equal(expected, problem.Detail);
        }
    }

    [Fact]
    public async Task A_log_job_shows_its_status_and_nothing_more_to_anyone()
    {
        await using var factory = new SqliteStorefrontFactory();
        using var anonymous = factory.CreateClient();
        using var someone = await factory.CreateAuthenticatedClientAsync();

        var response = await anonymous.PostJsonTextAsync("/log", """{"event": "checkout"}""");
        var id = await JobTestSupport.AcceptedJobAsync(response);
        foreach (var client in new[] { anonymous, someone })
        {
            var job = await JobTestSupport.WaitForStatusAsync(client, id, TimeSpan.FromSeconds(20), "succeeded");
            Assert.Equal(["id", "status"], job.EnumerateObject().Select(p => p.Name));
            Assert.Equal(id, job.Deserialize<JobStatusResponse>(HttpAssertions.Answers)!.Id);
        }
    }

    [Fact]
    public async Task Last_error_names_no_recipient_and_quotes_no_server_reply_which_only_a_debug_log_keeps()
    {
        await using var server = new RefusingSmtpServer(); // "550 5.1.1 No such mailbox here" to every recipient.
        var logs = new LogCapture();
        await using var factory = new SqliteStorefrontFactory();
        factory.With("Smtp:Host", "127.0.0.1").With("Smtp:Port", server.Port.ToString(CultureInfo.InvariantCulture))
            .With("Logging:LogLevel:Storefront", "Debug")
            .WithServices(services => services.AddSingleton<ILoggerProvider>(logs));
        using var owner = await factory.CreateAuthenticatedClientAsync();
        var recipient = $"secret-{Guid.NewGuid():N}@example.com";

        var id = await SendEmailAsync(owner, recipient);
        var job = await JobTestSupport.WaitForJobAsync(owner, id, TimeSpan.FromSeconds(30), "dead");

        var lastError = job.LastError!;
        Assert.Contains("550", lastError, StringComparison.Ordinal); // Classified: a permanent refusal of the recipient.
        foreach (var secret in new[] { recipient, "secret-", "No such mailbox", "5.1.1", "fake.test" })
            Assert.DoesNotContain(secret, lastError, StringComparison.OrdinalIgnoreCase);

        // The details are for operators, at Debug only: never in a warning or an error, where logs are kept and shipped.
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Information && e.Text.Contains(recipient, StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Information && e.Text.Contains("No such mailbox", StringComparison.Ordinal));
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Debug && e.Text.Contains("No such mailbox", StringComparison.Ordinal));
    }

    private static async Task<string> SendEmailAsync(HttpClient client, string email)
    {
        return await JobTestSupport.AcceptedJobAsync(await client.PostAsync($"/send-email?email={Uri.EscapeDataString(email)}", null));
    }
}
