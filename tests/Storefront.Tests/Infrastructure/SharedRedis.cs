namespace Storefront.Tests.Infrastructure;

/// <summary>
/// The throwaway redis-server that scripts/test starts (STOREFRONT_TEST_REDIS). Each factory gets a database
/// number of its own, so test classes running in parallel never see each other's "data" key.
/// </summary>
internal static class SharedRedis
{
    public const string ServerVariable = "STOREFRONT_TEST_REDIS";

    private static int _next;

    public static string NextDatabase()
    {
        var server = Environment.GetEnvironmentVariable(ServerVariable);
        if (string.IsNullOrWhiteSpace(server))
            throw new InvalidOperationException($"{ServerVariable} is not set. Run the tests with scripts/test, which starts a throwaway redis-server.");
        // scripts/test starts the server with 64 databases.
        var database = Interlocked.Increment(ref _next) % 64;
        return $"{server},defaultDatabase={database}";
    }
}
