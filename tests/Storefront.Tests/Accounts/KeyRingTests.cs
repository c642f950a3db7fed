using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Hosting;
using Storefront.Api.Accounts;

namespace Storefront.Tests.Accounts;

/// <summary>
/// Data protection (registered by authentication, used by nothing in the service) does not read its key ring when the
/// host starts, and still works for whatever asks for it later.
/// </summary>
[ServerFree]
public sealed class KeyRingTests(SqliteStorefrontFactory factory) : ClientTests<SqliteStorefrontFactory>(factory), IClassFixture<SqliteStorefrontFactory>
{
    [Fact]
    public void The_key_ring_is_not_read_at_startup()
    {
        Assert.DoesNotContain(Factory.Services.GetServices<IHostedService>(), s => s.GetType().Name == AccountsExtensions.KeyRingPreload);
    }

    [Fact]
    public void Data_protection_still_works_on_first_use()
    {
        var protector = Factory.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("key-ring-test");
        Assert.Equal("kept", protector.Unprotect(protector.Protect("kept")));
    }
}
