using Storefront.Upstreams;

namespace Storefront.Tests.Infrastructure;

/// <summary>A test class whose every test gets a fresh anonymous <see cref="Client"/> of its class's host, disposed after it.</summary>
public abstract class ClientTests<TFactory>(TFactory factory) : IDisposable where TFactory : StorefrontFactory
{
    protected TFactory Factory => factory;

    protected HttpClient Client { get; } = factory.CreateClient();

    public void Dispose()
    {
        AfterTest();
        Client.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>What a test class undoes after each test, before the client goes.</summary>
    protected virtual void AfterTest() { }
}

/// <summary>
/// A test class whose tests set the embedded simulator's latencies and failures (<see cref="Simulator"/>); it is reset
/// after each test, so the next starts from its defaults.
/// </summary>
public abstract class SimulatorTests(StorefrontFactory factory) : ClientTests<StorefrontFactory>(factory)
{
    protected SimulatorState Simulator => Factory.Simulator;

    protected override void AfterTest() => Simulator.Reset();
}
