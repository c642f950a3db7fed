using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Storefront.Api.Upstreams;
using Storefront.Upstreams;

namespace Storefront.Tests.Infrastructure;

/// <summary>
/// The real service on real Kestrel (a loopback port), with the bundled simulator embedded as in the
/// default run. Subclasses choose the store; tests may add settings before first use.
/// </summary>
public abstract class StorefrontFactory : WebApplicationFactory<Program>
{
    /// <summary>The signing key every test host uses, so tests can also forge tokens with it (or with another).</summary>
    public static readonly string SigningKey = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("storefront-tests-signing-key-0123456789abcdef"));

    private readonly Dictionary<string, string?> _settings = new()
    {
        ["urls"] = "http://127.0.0.1:0",
        ["Logging:LogLevel:Default"] = "Warning",
        ["Jwt:SigningKey"] = SigningKey,
        // Not Development, so the embedded simulator must be asked for (tests that configure upstreams leave it unused).
        ["Upstreams:UseSimulator"] = "true",
        // Every test talks from 127.0.0.1: the rate-limit tests lower these on factories of their own.
        ["RateLimits:LoginPermits"] = "100000",
        ["RateLimits:RegisterPermits"] = "100000",
        ["RateLimits:RecoveryPermits"] = "100000",
        ["RateLimits:LogPermits"] = "100000",
        ["RateLimits:SearchPermits"] = "100000",
        ["RateLimits:UsernameFailures"] = "100000",
        ["RateLimits:UsernameHourlyFailures"] = "100000",
        ["RateLimits:SendEmailPermits"] = "100000",
        ["RateLimits:RecipientPermits"] = "100000",
        ["Jobs:PollIntervalMs"] = "100",
        ["Jobs:RetryBaseMs"] = "50",
        // The production 250 ms would read as an outage (BYPASS) whenever a loaded CI machine stalls a
        // moment; tests about outages set their own.
        ["Caching:RedisTimeoutMs"] = "2000",
        // Likewise a rate limit would fall back to counting per instance: tests about outages set their own.
        ["RateLimits:RedisTimeoutMs"] = "2000",
        // Tests send hundreds of orders from a few users; the order-limit tests set their own.
        ["Orders:MaxOrdersPerMinute"] = "0",
        ["Orders:MaxUnitsPerItemPerUser"] = "0",
        // Sample stock would change what tests of a fresh store expect; the first-run tests set it back.
        ["Inventory:SampleUnits"] = "0",
        // Every host in this process shares one thread pool with the test runner: its queueing delay says nothing
        // about one host's load. The limit is tested in a process of its own (OverloadLimitTests).
        ["Overload:Enabled"] = "false",
    };

    private readonly List<Action<IServiceCollection>> _services = [];
    private string _environment = "Testing";

    protected StorefrontFactory() => UseKestrel(0);

    /// <summary>Adds or overrides a configuration value (API.md names, with ':' as separator).</summary>
    public StorefrontFactory With(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    /// <summary>Adds or overrides each of these configuration values.</summary>
    public StorefrontFactory With(IReadOnlyDictionary<string, string?> settings)
    {
        foreach (var (key, value) in settings) _settings[key] = value;
        return this;
    }

    /// <summary>Runs the host in another environment ("Production", "Development") instead of "Testing".</summary>
    public StorefrontFactory WithEnvironment(string environment)
    {
        _environment = environment;
        return this;
    }

    /// <summary>Adds services (test-only job handlers) to the host before it starts.</summary>
    public StorefrontFactory WithServices(Action<IServiceCollection> configure)
    {
        _services.Add(configure);
        return this;
    }

    /// <summary>A client carrying a fresh user's bearer token.</summary>
    public async Task<HttpClient> CreateAuthenticatedClientAsync(TimeSpan? timeout = null)
    {
        var client = CreateClient();
        if (timeout is { } wait) client.Timeout = wait;
        var token = await TestAccounts.RegisterAndLoginAsync(client);
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>
    /// A client carrying the token of <paramref name="admin"/>, registered on first use and granted <paramref name="role"/>
    /// as an operator grants it (the users command's code, against this host's store).
    /// </summary>
    public async Task<HttpClient> CreateAdminClientAsync(string admin, string role = "admin")
    {
        var client = CreateClient();
        var registered = await TestAccounts.WhenNotBusyAsync(() =>
            client.PostAsJsonAsync("/register", new { username = admin, email = $"{admin}@example.com", password = TestAccounts.Password }));
        if (registered.StatusCode is not (System.Net.HttpStatusCode.Created or System.Net.HttpStatusCode.Conflict))
            throw new InvalidOperationException($"register {admin}: {registered.StatusCode}");
        if (!await Services.GetRequiredService<Storefront.Api.Accounts.UserRoles>().GrantAsync(admin, role, CancellationToken.None))
            throw new InvalidOperationException($"grant {admin} {role}: no such user");
        var token = await TestAccounts.TokenAsync(client, admin);
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>A client of a fresh user holding <paramref name="role"/> (admin: may write the catalog and set stock).</summary>
    public Task<HttpClient> CreateStaffClientAsync(string role = "admin") => CreateAdminClientAsync(TestAccounts.NewUsername(), role);

    /// <summary>The embedded simulator: tests set its latencies and failure rates, and read its counters.</summary>
    public SimulatorState Simulator =>
        Services.GetRequiredService<EmbeddedSimulator>().State ?? throw new InvalidOperationException("The simulator is not running.");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(_environment);
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        builder.ConfigureServices(services => _services.ForEach(configure => configure(services)));
    }
}

/// <summary>The embedded default: SQLite in a fresh folder, deleted afterwards.</summary>
public class SqliteStorefrontFactory : StorefrontFactory
{
    public SqliteStorefrontFactory()
    {
        StoragePath = Path.Combine(Path.GetTempPath(), "storefront-tests", Guid.NewGuid().ToString("N"));
        With("Storage:Path", StoragePath);
    }

    public string StoragePath { get; }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(StoragePath, recursive: true); } catch (IOException) { } // Best effort: it is a temp folder.
    }
}
