namespace Storefront.Tests.Infrastructure;

/// <summary>
/// A test class whose every test gets a fresh staff user's client (<see cref="Staff"/>, holding <c>role</c>), made
/// before the test and disposed after it.
/// </summary>
public abstract class StaffClientTests(StorefrontFactory factory, string role = "admin") : IAsyncLifetime
{
    protected StorefrontFactory Factory => factory;

    protected HttpClient Staff { get; private set; } = null!;

    public virtual async ValueTask InitializeAsync() => Staff = await factory.CreateStaffClientAsync(role);

    public ValueTask DisposeAsync()
    {
        Staff.Dispose();
        return ValueTask.CompletedTask;
    }
}
