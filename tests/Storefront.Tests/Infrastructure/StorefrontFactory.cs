using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Storefront.Api.Upstreams;
using Storefront.Upstreams;

namespace Storefront.Tests.Infrastructure;

/// <summary>
/// The real service on real Kestrel (a loopback port), with the bundled simulator embedded as in the
/// default run. Subclasses choose the store; tests may add settings before first use.
/// </summary>
public abstract class StorefrontFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings = new()
    {
        ["urls"] = "http://127.0.0.1:0",
        ["Logging:LogLevel:Default"] = "Warning",
    };

    protected StorefrontFactory() => UseKestrel(0);

    /// <summary>Adds or overrides a configuration value (API.md names, with ':' as separator).</summary>
    public StorefrontFactory With(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    /// <summary>The embedded simulator: tests set its latencies and failure rates, and read its counters.</summary>
    public SimulatorState Simulator =>
        Services.GetRequiredService<EmbeddedSimulator>().State ?? throw new InvalidOperationException("The simulator is not running.");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
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

    /// <summary>Puts the cache on the shared test Redis (scripts/test), in a database of its own.</summary>
    public SqliteStorefrontFactory WithSharedRedis()
    {
        With("ConnectionStrings:Redis", SharedRedis.NextDatabase());
        return this;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(StoragePath, recursive: true); } catch (IOException) { } // Best effort: it is a temp folder.
    }
}
