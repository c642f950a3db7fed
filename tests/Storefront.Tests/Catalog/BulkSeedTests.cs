using Npgsql;
using Storefront.Api.Data;

namespace Storefront.Tests.Catalog;

/// <summary>
/// <c>seed --items N</c> on PostgreSQL leaves the catalog's pages marked visible to all, so a search's walk reads the
/// sort's index alone from the first request (with the pages unmarked it reads the table too, until autovacuum's next
/// visit). The test server runs with synchronous_commit=off, as a bulk-loading operator might: fails when the seed's
/// VACUUM runs before its rows' commit is flushed and so marks nothing.
/// </summary>
public sealed class PostgresBulkSeedTests(PostgresStorefrontFactory factory) : IClassFixture<PostgresStorefrontFactory>
{
    [Fact]
    public async Task A_seeded_catalog_is_visible_to_all_at_once()
    {
        using (factory.CreateClient()) { } // Migrated, with the sample items.
        var seed = factory.Services.GetServices<IBulkSampleData>().Single(s => s.OptionName == "items");
        await seed.SeedToAsync(20_000, CancellationToken.None);

        await using var connection = new NpgsqlConnection(factory.Database.ConnectionString);
        await connection.OpenAsync();
        await using var pages = new NpgsqlCommand("SELECT relpages, relallvisible FROM pg_class WHERE oid = 'items'::regclass", connection);
        await using var reader = await pages.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        var (total, visible) = (reader.GetInt32(0), reader.GetInt32(1));
        Assert.True(total > 100, $"{total} pages");
        // The sample items' page may still wait for its own commit to be flushed.
        Assert.True(visible >= total - 1, $"{visible} of {total} pages visible to all");
    }
}
