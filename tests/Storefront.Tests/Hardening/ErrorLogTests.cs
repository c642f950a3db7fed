using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Storefront.Api.Data;
using Storefront.Api.Email;

namespace Storefront.Tests.Hardening;

/// <summary>
/// A 500 is one log line (not the handler's and the framework's both), and an outage answered with
/// 503s does not flood the log: one warning when it starts, none with a stack, nothing from the framework's middleware.
/// </summary>
public sealed class ErrorLogTests
{
    private const string FrameworkHandler = "Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware";

    [Fact]
    public async Task A_500_is_logged_once()
    {
        var logs = new LogCapture();
        await using var host = new SqliteStorefrontFactory();
        host.WithServices(services =>
        {
            services.AddSingleton<ILoggerProvider>(logs);
            services.RemoveAll<IWelcomeMail>();
            services.AddSingleton<IWelcomeMail, BrokenWelcomeMail>();
        });
        using var client = host.CreateClient();
        var username = TestAccounts.NewUsername();
        var response = await client.PostAsJsonAsync("/register", new { username, email = $"{username}@example.com", password = TestAccounts.Password });
        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.InternalServerError);
        Assert.DoesNotContain("broken on purpose", problem.ToString(), StringComparison.Ordinal);

        var lines = logs.Entries.Where(e => e.Exception?.Message == "broken on purpose").ToList();
        Assert.True(lines.Count == 1, "Expected one line:\n" + string.Join("\n", lines));
        Assert.Equal(LogLevel.Error, lines[0].Level);
    }

    [Fact]
    public async Task Answered_503s_of_a_database_outage_write_one_warning_and_no_stack()
    {
        var logs = new LogCapture();
        await using var host = new PostgresStorefrontFactory();
        await host.InitializeAsync();
        try
        {
            host.With("Jobs:WorkerEnabled", "false").WithServices(services => services.AddSingleton<ILoggerProvider>(logs));
            using var client = host.CreateClient();
            var answers = 0;
            for (var round = 0; round < 4; round++)
            {
                // Fill the pool with idle connections, then cut them all: each request next meets a dead one.
                foreach (var response in await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => client.GetAsync("/items?limit=1"))))
                    await response.ShouldBeJsonAsync();
                await host.Database.TerminateSessionsAsync();
                foreach (var response in await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => client.GetAsync("/items?limit=1"))))
                    if (response.StatusCode == HttpStatusCode.ServiceUnavailable) answers++;
            }
            Assert.True(answers >= 2, $"the outage was answered with 503s ({answers})");

            var entries = logs.Entries;
            Assert.DoesNotContain(entries, e => e.Category == FrameworkHandler && e.Level >= LogLevel.Warning);
            Assert.DoesNotContain(entries, e => e.Level >= LogLevel.Warning && e.Exception is not null && DependencyLine(e));
            var warnings = entries.Count(e => e.Level == LogLevel.Warning && DependencyLine(e));
            Assert.True(warnings >= 1 && warnings < answers, $"{warnings} warning lines for {answers} answers");
        }
        finally
        {
            await ((IAsyncLifetime)host).DisposeAsync();
        }
    }

    private static bool DependencyLine(LogCapture.Entry entry) => entry.Message.Contains("database is unavailable", StringComparison.Ordinal);

    private sealed class BrokenWelcomeMail : IWelcomeMail
    {
        public void Stage(StorefrontDbContext db, string username, string email) => throw new InvalidOperationException("broken on purpose");
    }
}
