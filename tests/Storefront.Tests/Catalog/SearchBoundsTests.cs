using Npgsql;

namespace Storefront.Tests.Catalog;

/// <summary>
/// A search the trigram index cannot serve is refused, naming the minimum; searches have their own
/// rate limit; and a search has a statement timeout.
/// </summary>
public abstract class SearchBoundsTests(StorefrontFactory factory) : IDisposable
{
    private readonly HttpClient _client = factory.CreateClient();

    public void Dispose()
    {
        _client.Dispose();
        GC.SuppressFinalize(this);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("ab")]
    public async Task A_search_shorter_than_the_index_serves_is_a_400_naming_the_minimum(string q)
    {
        var problem = await (await _client.GetAsync($"/items?q={q}")).ShouldBeValidationProblemAsync("q");
        Assert.Contains("3", problem.Errors!["q"][0], StringComparison.Ordinal);
        await (await _client.GetAsync("/items?q=abc")).ShouldBeJsonAsync();
        await (await _client.GetAsync("/items?q=")).ShouldBeJsonAsync(); // An empty q searches nothing, as before.
    }
}

public sealed class SqliteSearchBoundsTests(SqliteStorefrontFactory factory) : SearchBoundsTests(factory), IClassFixture<SqliteStorefrontFactory>;

public sealed class PostgresSearchBoundsTests(PostgresStorefrontFactory factory) : SearchBoundsTests(factory), IClassFixture<PostgresStorefrontFactory>
{
    [Fact]
    public async Task A_search_past_its_statement_timeout_is_a_504_and_is_stopped_in_the_database()
    {
        using var client = factory.With("Catalog:SearchTimeoutMs", "500").CreateClient();
        await (await client.GetAsync("/items?q=lamp")).ShouldBeJsonAsync();
        // A transaction holding the catalog exclusively makes any read of it wait: the search can only time out.
        await using var blocker = new NpgsqlConnection(factory.Database.ConnectionString);
        await blocker.OpenAsync();
        await using var transaction = await blocker.BeginTransactionAsync();
        await using (var lockItems = new NpgsqlCommand("LOCK TABLE items IN ACCESS EXCLUSIVE MODE", blocker, transaction))
            await lockItems.ExecuteNonQueryAsync();

        var timedOut = await client.GetAsync("/items?q=lamp");
        Assert.Contains("Catalog__SearchTimeoutMs", (await timedOut.ShouldBeProblemAsync(HttpStatusCode.GatewayTimeout)).Detail,
            StringComparison.Ordinal);
        await transaction.RollbackAsync();
        await (await client.GetAsync("/items?q=lamp")).ShouldBeJsonAsync();
    }
}

public sealed class SearchRateLimitTests
{
    [Fact]
    public async Task Searches_have_their_own_per_client_limit_and_plain_pages_do_not_count()
    {
        await using var host = new SqliteStorefrontFactory();
        host.With("RateLimits:SearchPermits", "2");
        using var client = host.CreateClient();
        for (var i = 0; i < 2; i++) await (await client.GetAsync("/items?q=lamp")).ShouldBeJsonAsync();
        var limited = await client.GetAsync("/items?q=lamp");
        await limited.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.NotNull(limited.Headers.RetryAfter);
        for (var i = 0; i < 3; i++) await (await client.GetAsync("/items?limit=5")).ShouldBeJsonAsync();
    }
}
