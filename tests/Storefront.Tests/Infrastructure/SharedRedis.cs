namespace Storefront.Tests.Infrastructure;

/// <summary>
/// The run's shared redis-server (<see cref="TestServers"/>). Each factory gets a database number of its own, so test
/// classes running in parallel never see each other's "data" key.
/// </summary>
internal static class SharedRedis
{
    private static int _next;

    public static string NextDatabase()
    {
        // The server has 64 databases.
        var database = Interlocked.Increment(ref _next) % 64;
        return $"{TestServers.Redis},defaultDatabase={database}";
    }
}

/// <summary>A host whose cache is on the shared server, in a database of its own: <c>ConfiguredFactory&lt;SharedRedisCache&gt;</c>.</summary>
public sealed class SharedRedisCache : IHostSettings
{
    public static IReadOnlyDictionary<string, string?> Settings =>
        new Dictionary<string, string?> { ["ConnectionStrings:Redis"] = SharedRedis.NextDatabase() };
}
