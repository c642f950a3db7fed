[assembly: AssemblyFixture(typeof(Storefront.Tests.Infrastructure.Servers.TestServersLifetime))]

namespace Storefront.Tests.Infrastructure.Servers;

/// <summary>
/// The servers the integration tests talk to. A server named in the environment wins (CI or scripts/cluster may run
/// their own); otherwise the run starts Debian's binaries itself, each once, when the first test asks for it, on a free
/// loopback port under <see cref="ProcessGroups.RunFolder"/>, and stops them when the run ends
/// (<see cref="TestServersLifetime"/>), or the watchdog does when the run is killed. A missing binary fails the tests
/// that need it with one line naming the Debian package; scripts/test installs them all.
/// </summary>
internal static class TestServers
{
    public const string PostgresVariable = "STOREFRONT_TEST_POSTGRES";
    public const string RedisVariable = "STOREFRONT_TEST_REDIS";
    public const string SmtpVariable = "STOREFRONT_TEST_SMTP";
    public const string MaildirVariable = "STOREFRONT_TEST_MAILDIR";
    public const string PrometheusVariable = "STOREFRONT_TEST_PROMETHEUS";
    public const string ChromiumVariable = "STOREFRONT_TEST_CHROMIUM";
    public const string RedoclyVariable = "STOREFRONT_TEST_REDOCLY";

    // Task.Run: the starts never need the caller's synchronization context, so a caller that cannot await may block.
    private static readonly Lazy<Task<PostgresTestServer>> OwnPostgres = new(() => Task.Run(PostgresTestServer.StartAsync));
    private static readonly Lazy<Task<RedisTestServer>> OwnRedis = new(() => Task.Run(RedisTestServer.StartAsync));
    private static readonly Lazy<Task<SmtpTestServer>> OwnSmtp = new(() => Task.Run(SmtpTestServer.StartAsync));

    /// <summary>An Npgsql connection string for a role that may CREATE DATABASE.</summary>
    public static async Task<string> PostgresAsync() =>
        Named(Require(PostgresVariable)) ?? (await OwnPostgres.Value).ConnectionString;

    /// <summary><c>host:port</c> of a redis-server with 64 databases.</summary>
    public static string Redis => Named(Require(RedisVariable)) ?? Wait(OwnRedis.Value).Address;

    /// <summary>An SMTP server that keeps every message it accepts in <see cref="Maildir"/>.</summary>
    public static (string Host, int Port) Smtp
    {
        get
        {
            if (Named(Require(SmtpVariable)) is { } address)
            {
                var colon = address.LastIndexOf(':');
                return (address[..colon], int.Parse(address[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
            }
            return ("127.0.0.1", Wait(OwnSmtp.Value).Port);
        }
    }

    /// <summary>The Maildir of the SMTP server <see cref="Smtp"/> names.</summary>
    public static string Maildir => Named(Require(MaildirVariable)) ?? Wait(OwnSmtp.Value).Maildir;

    public static string Prometheus => Binary(PrometheusVariable, "/usr/bin/prometheus", "prometheus");

    public static string Chromium => Binary(ChromiumVariable, "/usr/bin/chromium", "chromium (with fonts-liberation)");

    /// <summary>Redocly CLI, which scripts/test installs with <c>npm ci</c> in tools/redocly.</summary>
    public static string Redocly
    {
        get
        {
            var path = Named(Require(RedoclyVariable)) ?? Path.Combine(Repository.Root(), "tools", "redocly", "node_modules", ".bin", "redocly");
            return File.Exists(path) ? path
                : throw new InvalidOperationException($"Redocly CLI is not installed at {path}: run scripts/test, which runs npm ci in tools/redocly (or name it in {RedoclyVariable}).");
        }
    }

    /// <summary>Stops the servers this run started (the end of the run).</summary>
    public static async Task StopAsync()
    {
        if (OwnSmtp.IsValueCreated && OwnSmtp.Value.IsCompletedSuccessfully) await OwnSmtp.Value.Result.StopAsync();
        if (OwnRedis.IsValueCreated && OwnRedis.Value.IsCompletedSuccessfully) await OwnRedis.Value.Result.StopAsync();
        if (OwnPostgres.IsValueCreated && OwnPostgres.Value.IsCompletedSuccessfully) await OwnPostgres.Value.Result.StopAsync();
    }

    /// <summary>The one line a test that needs <paramref name="program"/> fails with when it is not installed.</summary>
    public static InvalidOperationException Missing(string program, string package, string variable) =>
        new($"{program} is not installed: run scripts/test, which installs Debian's {package} package (or name a server in {variable}).");

    /// <summary>
    /// Every way to a server passes here: a test marked <see cref="ServerFreeAttribute"/> that asks for one fails, so the
    /// fast loop's filter never hides a test that needs a server. Returns <paramref name="variable"/>.
    /// </summary>
    public static string Require(string variable)
    {
        // A class fixture is made before any of its tests: then the class's traits are the ones to read.
        var context = TestContext.Current;
        var traits = context.Test?.Traits ?? context.TestClass?.Traits;
        if (traits is not null && traits.TryGetValue(ServerFreeAttribute.Trait, out var values) && values.Contains(ServerFreeAttribute.Value))
            throw new InvalidOperationException(
                $"{context.Test?.TestDisplayName ?? context.TestClass?.TestClassName} is marked [ServerFree] but asks for a server ({variable}): remove the mark.");
        return variable;
    }

    /// <summary>The full path of <paramref name="program"/> on PATH, or null (a process group's <c>setsid</c> would only exit 1).</summary>
    public static string? OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, program)).FirstOrDefault(File.Exists);

    private static string? Named(string variable) => Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value : null;

    private static string Binary(string variable, string standardPath, string package)
    {
        var path = Named(Require(variable)) ?? standardPath;
        return File.Exists(path) ? path
            : throw new InvalidOperationException($"{path} is missing: run scripts/test, which installs Debian's {package} package (or name the binary in {variable}).");
    }

    /// <summary>For the few callers that cannot await (constructors, fluent setters): blocks only while the server starts.</summary>
    private static T Wait<T>(Task<T> start) => start.GetAwaiter().GetResult();
}

/// <summary>Stops the run's own servers when every test has run.</summary>
public sealed class TestServersLifetime : IAsyncDisposable
{
    public async ValueTask DisposeAsync() => await TestServers.StopAsync();
}
