namespace Storefront.Tests.Infrastructure;

/// <summary>The settings a test class runs its host with: data on the class, not a factory subclass of its own.</summary>
public interface IHostSettings
{
    static abstract IReadOnlyDictionary<string, string?> Settings { get; }

    /// <summary>The host's environment: "Testing" unless the class says otherwise ("Development", "Production").</summary>
    static virtual string Environment => "Testing";
}

/// <summary>
/// An embedded-store host (<see cref="SqliteStorefrontFactory"/>) with <typeparamref name="TSettings"/>'s settings on top
/// of the test defaults: <c>IClassFixture&lt;ConfiguredFactory&lt;MyTests&gt;&gt;</c> gives the class a host of its own.
/// </summary>
public sealed class ConfiguredFactory<TSettings> : SqliteStorefrontFactory where TSettings : IHostSettings
{
    public ConfiguredFactory() => WithEnvironment(TSettings.Environment).With(TSettings.Settings);
}
