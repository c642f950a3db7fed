namespace Storefront.Tests.Infrastructure;

/// <summary>
/// A test class whose every test gets a fresh staff user's client (<see cref="Staff"/>, holding <c>role</c>), made
/// before the test and disposed after it; a subclass adds its own setup by overriding <see cref="InitializeAsync"/>
/// and registers what it makes for disposal with <see cref="Owned"/>.
/// </summary>
public abstract class StaffClientTests(StorefrontFactory factory, string role = "admin") : IAsyncLifetime
{
    private readonly List<IDisposable> _owned = [];

    protected StorefrontFactory Factory => factory;

    protected HttpClient Staff { get; private set; } = null!;

    public virtual async ValueTask InitializeAsync() => Staff = Owned(await factory.CreateStaffClientAsync(role));

    /// <summary>Disposes <paramref name="disposable"/> after the test.</summary>
    protected T Owned<T>(T disposable) where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    public ValueTask DisposeAsync()
    {
        _owned.ForEach(d => d.Dispose());
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
