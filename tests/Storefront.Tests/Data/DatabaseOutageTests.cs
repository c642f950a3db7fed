using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Storefront.Api.Http;

namespace Storefront.Tests.Data;

public sealed class DatabaseOutageTests(PostgresStorefrontFactory factory) : IClassFixture<PostgresStorefrontFactory>
{
    [Fact]
    public async Task Connections_cut_by_a_restarting_database_are_503s_with_retry_after_then_it_recovers_by_itself()
    {
        // The worker would meet the cut connections first; only the requests use the pool here.
        factory.With("Jobs:WorkerEnabled", "false");
        using var client = factory.CreateClient();
        // Several requests at once leave several connections idle in the pool.
        foreach (var response in await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => client.GetAsync("/items?limit=1"))))
            await response.ShouldBeJsonAsync();

        await factory.Database.TerminateSessionsAsync();

        var cut = await client.GetAsync("/items?limit=1");
        var problem = await cut.ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("2", cut.Headers.GetValues("Retry-After").Single());
        Assert.Contains("database is unavailable", problem.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("57P01", problem.ToString(), StringComparison.Ordinal);

        // Each cut connection fails once and is dropped; new ones work.
        await Eventually.TrueAsync(async () => (await client.GetAsync("/items?limit=1")).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "the catalog answering again");
    }
}

[ServerFree]
public sealed class DependencyFailuresTests
{
    [Fact]
    public void Only_a_database_that_cannot_answer_now_is_unavailable()
    {
        Assert.True(DependencyFailures.IsUnavailable(new PostgresException("terminating connection", "FATAL", "FATAL", "57P01")));
        Assert.True(DependencyFailures.IsUnavailable(new PostgresException("the database system is starting up", "FATAL", "FATAL", "57P03")));
        Assert.True(DependencyFailures.IsUnavailable(new NpgsqlException("Failed to connect", new SocketException((int)SocketError.ConnectionRefused))));
        Assert.True(DependencyFailures.IsUnavailable(new DbUpdateException("save failed",
            new PostgresException("connection failure", "FATAL", "FATAL", "08006"))));

        // A failover: a write reaching a server that has just become a standby, no primary found among several servers,
        // and every server's connection refused at once.
        Assert.True(DependencyFailures.IsUnavailable(new PostgresException("cannot execute INSERT in a read-only transaction", "ERROR", "ERROR", "25006")));
        Assert.True(DependencyFailures.IsUnavailable(new NpgsqlException("No suitable host was found.")));
        Assert.True(DependencyFailures.IsUnavailable(new NpgsqlException("Unable to connect to a suitable host.", new AggregateException(
            new NpgsqlException("Failed to connect", new SocketException((int)SocketError.ConnectionRefused)),
            new PostgresException("the database system is starting up", "FATAL", "FATAL", "57P03")))));

        Assert.False(DependencyFailures.IsUnavailable(new NpgsqlException("Unable to connect to a suitable host.", new AggregateException(
            new PostgresException("password authentication failed", "FATAL", "FATAL", "28P01")))));
        Assert.False(DependencyFailures.IsUnavailable(new PostgresException("duplicate key", "ERROR", "ERROR", "23505")));
        Assert.False(DependencyFailures.IsUnavailable(new PostgresException("no such table", "ERROR", "ERROR", "42P01")));
        Assert.False(DependencyFailures.IsUnavailable(new InvalidOperationException("a bug")));
    }
}
