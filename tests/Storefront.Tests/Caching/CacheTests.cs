using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Configuration;
using StackExchange.Redis;
using Storefront.Api.Caching;

namespace Storefront.Tests.Caching;

/// <summary>The service with its cache on the real test Redis.</summary>
public sealed class RedisCacheTests(ConfiguredFactory<SharedRedisCache> factory) : StaffClientTests(factory), IClassFixture<ConfiguredFactory<SharedRedisCache>>
{
    [Fact]
    public async Task Cached_data_misses_once_then_hits_with_the_seed_key_and_ttl()
    {
        await InvalidateAsync();
        var (miss, first) = await GetAsync<DataSummary>("/cached-data");
        var (hit, second) = await GetAsync<DataSummary>("/cached-data");
        Assert.Equal("MISS", miss);
        Assert.Equal("HIT", hit);
        Assert.Equal(first, second);
        Assert.True(first.Items >= 1);
        Assert.True(first.AvgPrice > 0);

        // Stored in Redis under the original API's key "data" (docs/seeds.md), with the configured 300 s TTL.
        var (database, multiplexer) = await OpenRedisAsync();
        using (multiplexer)
        {
            var ttl = await database.KeyTimeToLiveAsync("data");
            Assert.NotNull(ttl);
            Assert.InRange(ttl.Value.TotalSeconds, 250, 300);
        }
    }

    [Fact]
    public async Task Expensive_endpoint_is_response_cached()
    {
        await InvalidateAsync();
        var (miss, first) = await GetAsync<CatalogSummary>("/expensive-endpoint");
        var (hit, second) = await GetAsync<CatalogSummary>("/expensive-endpoint");
        Assert.Equal(("MISS", "HIT"), (miss, hit));
        // The very same response: computed_at did not move.
        Assert.Equal(first.ComputedAt, second.ComputedAt);
    }

    [Fact]
    public async Task Catalog_writes_invalidate_what_they_change()
    {
        await GetAsync<DataSummary>("/cached-data");
        var (_, before) = await GetAsync<DataSummary>("/cached-data");
        var count = before.Items;

        var id = await Staff.CreateItemAsync("Cache buster", 1000m);
        var (afterPost, posted) = await GetAsync<DataSummary>("/cached-data");
        Assert.Equal("MISS", afterPost);
        Assert.Equal(count + 1, posted.Items);
        var (expensiveAfterPost, _) = await GetAsync<CatalogSummary>("/expensive-endpoint");
        Assert.Equal("MISS", expensiveAfterPost);

        await (await Staff.PutJsonTextAsync($"/items/{id}", """{"name": "Cache buster", "price": 2000}""")).ShouldBeJsonAsync();
        var (afterPut, put) = await GetAsync<DataSummary>("/cached-data");
        Assert.Equal("MISS", afterPut);
        Assert.True(put.AvgPrice > posted.AvgPrice);

        Assert.Equal(HttpStatusCode.NoContent, (await Staff.DeleteAsync($"/items/{id}")).StatusCode);
        var (afterDelete, deleted) = await GetAsync<DataSummary>("/cached-data");
        Assert.Equal("MISS", afterDelete);
        Assert.Equal(count, deleted.Items);
    }

    [Fact]
    public async Task Hundred_concurrent_misses_compute_once()
    {
        await InvalidateAsync();
        var statistics = Factory.Services.GetRequiredService<CacheStatistics>();
        var before = statistics.Computations;
        var responses = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => GetAsync<DataSummary>("/cached-data")));
        Assert.Equal(1, statistics.Computations - before);
        Assert.Single(responses.Select(r => r.Body).Distinct());
    }

    [Fact]
    public async Task Concurrent_callers_of_a_slow_computation_share_it()
    {
        var cache = Factory.Services.GetRequiredService<CacheAside>();
        var computations = 0;
        async Task<byte[]> SlowCompute(CancellationToken token)
        {
            Interlocked.Increment(ref computations);
            await Task.Delay(300, token); // A slow computation, long enough for all 100 callers to arrive during it.
            return "{\"slow\":true}"u8.ToArray();
        }

        var key = $"single-flight-{Guid.NewGuid():N}";
        var results = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ =>
            cache.GetOrCreateAsync(key, TimeSpan.FromMinutes(1), SlowCompute, CancellationToken.None).AsTask()));
        Assert.Equal(1, computations);
        Assert.All(results, r => Assert.Equal(CacheOutcome.Miss, r.Outcome));
        Assert.Equal(CacheOutcome.Hit, (await cache.GetOrCreateAsync(key, TimeSpan.FromMinutes(1), SlowCompute, CancellationToken.None)).Outcome);
        Assert.Equal(1, computations);
    }

    [Fact]
    public async Task A_computation_that_overlaps_a_write_is_returned_but_not_stored()
    {
        var cache = Factory.Services.GetRequiredService<CacheAside>();
        var key = $"overlap-{Guid.NewGuid():N}";
        var computations = 0;
        var computing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<byte[]> Compute(CancellationToken token)
        {
            var version = Interlocked.Increment(ref computations);
            if (version == 1)
            {
                // The first computation read the source before the write below.
                computing.SetResult();
                await release.Task.WaitAsync(token);
            }
            return Encoding.UTF8.GetBytes($"{{\"version\":{version}}}");
        }
        async Task<(string, CacheOutcome)> GetAsync()
        {
            var value = await cache.GetOrCreateAsync(key, TimeSpan.FromMinutes(1), Compute, CancellationToken.None);
            return (Encoding.UTF8.GetString(value.Value), value.Outcome);
        }

        var before = GetAsync();
        await computing.Task;
        await cache.InvalidateAsync([key]);
        var after = GetAsync();
        release.SetResult();

        // The caller that was waiting gets the overlapped value; one that came after the write never does.
        Assert.Equal(("{\"version\":1}", CacheOutcome.Miss), await before);
        Assert.Equal(("{\"version\":2}", CacheOutcome.Miss), await after);
        // Only the fresh value was kept.
        Assert.Equal(("{\"version\":2}", CacheOutcome.Hit), await GetAsync());
        Assert.Equal(2, computations);
    }

    [Fact]
    public async Task Readiness_reports_the_cache_as_redis_and_healthy()
    {
        var cache = (await (await Staff.GetAsync("/health/ready")).ShouldBeJsonAsync<HealthAnswer>()).Checks["cache"];
        Assert.Equal(("healthy", "redis"), (cache.Status, cache.Description));
    }

    private Task InvalidateAsync() => Factory.Services.GetRequiredService<CacheAside>().InvalidateAsync(CatalogSummaries.CatalogKeys).AsTask();

    private async Task<(string Cache, T Body)> GetAsync<T>(string url)
    {
        var response = await Staff.GetAsync(url);
        var body = await response.ShouldBeJsonAsync<T>();
        return (response.Headers.GetValues("X-Cache").Single(), body);
    }

    private async Task<(IDatabase, ConnectionMultiplexer)> OpenRedisAsync()
    {
        var configuration = Factory.Services.GetRequiredService<IConfiguration>().GetConnectionString("Redis")!;
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(configuration);
        return (multiplexer.GetDatabase(), multiplexer);
    }
}

/// <summary>Expiry, on both stores: a short TTL and no local copy, so the store alone decides.</summary>
public abstract class CacheExpiryTests(SqliteStorefrontFactory factory) : IDisposable
{
    private readonly HttpClient _client = factory
        .With("Caching:DataTtlSeconds", "1")
        .With("Caching:LocalTtlMs", "0")
        .CreateClient();

    public void Dispose()
    {
        _client.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Cached_data_expires_after_its_ttl()
    {
        Assert.Equal("MISS", await CacheHeaderAsync());
        // The next call hits unless a loaded machine let the 1 s TTL pass in between; then its miss fills the cache again.
        await Eventually.TrueAsync(async () => await CacheHeaderAsync() == "HIT", TimeSpan.FromSeconds(20), "a call within the TTL hits");
        // A 1 s TTL; 20 s is generous for a loaded machine and still far short of the 300 s default it overrides.
        // Neither store takes a TimeProvider (Redis expires keys itself), so this waits for real time.
        await Eventually.ValueAsync(CacheHeaderAsync, header => header == "MISS", TimeSpan.FromSeconds(20), "the cached value expires");
    }

    private async Task<string> CacheHeaderAsync()
    {
        var response = await _client.GetAsync("/cached-data");
        await response.ShouldBeJsonAsync();
        return response.Headers.GetValues("X-Cache").Single();
    }
}

[ServerFree]
public sealed class InProcessCacheExpiryTests(SqliteStorefrontFactory factory)
    : CacheExpiryTests(factory), IClassFixture<SqliteStorefrontFactory>;

public sealed class RedisCacheExpiryTests(ConfiguredFactory<SharedRedisCache> factory)
    : CacheExpiryTests(factory), IClassFixture<ConfiguredFactory<SharedRedisCache>>;
