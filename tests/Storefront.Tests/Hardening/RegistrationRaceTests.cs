using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Storefront.Api.Accounts;

namespace Storefront.Tests.Hardening;

/// <summary>
/// Registrations racing for one name or address: one wins (201), the others get 409, and the logs show no error and
/// no SQL. Both stores, since each reports the unique violation its own way.
/// </summary>
public abstract class RegistrationRaceTests(StorefrontFactory factory) : IDisposable
{
    private const int Racers = 8;

    private static readonly string[] SqlMarkers = ["INSERT INTO", "SELECT ", "DbCommand", "CommandType"];

    private readonly LogCapture _logs = new();

    private HttpClient? _client;

    public void Dispose()
    {
        _client?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Racing_registrations_give_one_201_and_409s_without_error_logs_or_sql()
    {
        // Debug for EF's command-failure event only: it is how the test sees that the database really refused rows.
        // The capture replaces the console, which would print those Debug lines into the test run's output.
        factory.With("Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command", "Debug")
            .WithServices(services =>
            {
                services.RemoveAll<ILoggerProvider>();
                services.AddSingleton<ILoggerProvider>(_logs);
            });
        _client = factory.CreateClient();

        var username = TestAccounts.NewUsername();
        var sameName = await RaceAsync(_ => new { username, email = $"{TestAccounts.NewUsername()}@example.com", password = TestAccounts.Password });
        var email = $"{TestAccounts.NewUsername()}@example.com";
        var sameEmail = await RaceAsync(_ => new { username = TestAccounts.NewUsername(), email, password = TestAccounts.Password });

        Assert.Equal(1, sameName.Count(r => r.StatusCode == HttpStatusCode.Created));
        foreach (var conflict in sameName.Where(r => r.StatusCode != HttpStatusCode.Created))
            Assert.Equal("username", (await conflict.ShouldBeProblemAsync(HttpStatusCode.Conflict)).Member<string>("field"));
        // A taken email is answered like a registration (no enumeration), each with an id of its own.
        var ids = new List<int>();
        foreach (var answer in sameEmail) ids.Add((await answer.ShouldBeJsonAsync<RegisterResponse>(HttpStatusCode.Created)).Id);
        Assert.Equal(ids.Count, ids.Distinct().Count());

        var entries = _logs.Entries;
        // The race was real: the database refused at least one row (logged at Debug, which production never shows).
        Assert.Contains(entries, e => e.EventId.Id == Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.CommandError.Id);
        var shown = entries.Where(e => e.Level >= LogLevel.Warning).ToList();
        Assert.True(!shown.Any(e => e.Level >= LogLevel.Error), "Error lines:\n" + string.Join("\n", shown.Where(e => e.Level >= LogLevel.Error)));
        var sql = shown.Where(e => SqlMarkers.Any(word => e.ToString().Contains(word, StringComparison.Ordinal))).ToList();
        Assert.True(sql.Count == 0, "SQL in the logs:\n" + string.Join("\n", sql));
    }

    private async Task<HttpResponseMessage[]> RaceAsync(Func<int, object> body)
    {
        // Every request checks "taken?" before the slow password hash, so all eight pass that check before the
        // first insert: the losers meet the unique index, not the check.
        using var start = new SemaphoreSlim(0, Racers);
        var racers = Enumerable.Range(0, Racers).Select(async i =>
        {
            await start.WaitAsync();
            return await _client!.PostAsJsonAsync("/register", body(i));
        }).ToList();
        start.Release(Racers);
        return await Task.WhenAll(racers);
    }
}

[Collection(LoadHeavyTests.Name)]
[ServerFree]
public sealed class SqliteRegistrationRaceTests(SqliteStorefrontFactory factory)
    : RegistrationRaceTests(factory), IClassFixture<SqliteStorefrontFactory>;

[Collection(LoadHeavyTests.Name)]
public sealed class PostgresRegistrationRaceTests(PostgresStorefrontFactory factory)
    : RegistrationRaceTests(factory), IClassFixture<PostgresStorefrontFactory>;
