namespace Storefront.Tests.Caching;

/// <summary>Two instances on one Redis: a write on one drops the other's local copy at once (pub/sub).</summary>
public sealed class CrossInstanceTests
{
    [Fact]
    public async Task A_write_on_one_instance_invalidates_the_local_copy_on_another()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var reader = new SqliteStorefrontFactory();
        await using var writer = new SqliteStorefrontFactory();
        // A minute-long local copy: only the invalidation message can make the reader miss again.
        reader.With("ConnectionStrings:Redis", redis.ConnectionString).With("Caching:LocalTtlMs", "60000");
        writer.With("ConnectionStrings:Redis", redis.ConnectionString);
        using var readerClient = reader.CreateClient();
        using var writerClient = await writer.CreateStaffClientAsync();

        await CacheHeaderAsync(readerClient);
        Assert.Equal("HIT", await CacheHeaderAsync(readerClient));

        await (await writerClient.PostJsonTextAsync("/items", """{"name": "Elsewhere", "price": 3}""")).ShouldBeJsonAsync(System.Net.HttpStatusCode.Created);

        // Well within the reader's minute-long local TTL, so only the invalidation can end this wait.
        var header = await Eventually.ValueAsync(() => CacheHeaderAsync(readerClient), h => h != "HIT", TimeSpan.FromSeconds(30),
            "the reader drops its local copy after the write on the other instance");
        Assert.Equal("MISS", header);
    }

    private static async Task<string> CacheHeaderAsync(HttpClient client)
    {
        var response = await client.GetAsync("/cached-data");
        await response.ShouldBeJsonAsync();
        return response.Headers.GetValues("X-Cache").Single();
    }
}
