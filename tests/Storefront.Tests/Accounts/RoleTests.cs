using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Storefront.Tests.Infrastructure;

namespace Storefront.Tests.Accounts;

/// <summary>
/// Roles live in the database and only the operator's command grants them: catalog writes and stock need catalog staff
/// (catalog or admin) in every environment, reads stay public. Once per store.
/// </summary>
public abstract class RoleTests(StorefrontFactory factory) : IAsyncLifetime
{
    private HttpClient _admin = null!;
    private int _item;

    public async ValueTask InitializeAsync()
    {
        factory.With("Accounts:RoleCacheSeconds", "1");
        _admin = await factory.CreateStaffClientAsync("admin");
        _item = (await (await _admin.PostAsJsonAsync("/items", new { name = "Guarded", price = 5m })).ShouldBeJsonAsync(HttpStatusCode.Created))
            .GetProperty("id").GetInt32();
    }

    public ValueTask DisposeAsync()
    {
        _admin.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Catalog_writes_are_401_anonymous_403_naming_the_role_for_a_user_and_200_for_staff()
    {
        using var anonymous = factory.CreateClient();
        foreach (var write in Writes(_item)) await (await anonymous.SendAsync(write())).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);

        using var user = await factory.CreateAuthenticatedClientAsync();
        foreach (var write in Writes(_item))
        {
            var problem = await (await user.SendAsync(write())).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
            var detail = problem.GetProperty("detail").GetString()!;
            Assert.Contains("role catalog or admin", detail, StringComparison.Ordinal);
            Assert.Contains("users grant", detail, StringComparison.Ordinal);
        }
        // Reads stay public; the refused writes changed nothing.
        var item = await (await anonymous.GetAsync($"/items/{_item}")).ShouldBeJsonAsync();
        Assert.Equal(5m, item.GetProperty("price").GetDecimal());

        foreach (var role in new[] { "catalog", "admin" })
        {
            using var staff = await factory.CreateStaffClientAsync(role);
            var created = await (await staff.PostAsJsonAsync("/items", new { name = $"By {role}", price = 1m })).ShouldBeJsonAsync(HttpStatusCode.Created);
            var id = created.GetProperty("id").GetInt32();
            await (await staff.PutAsJsonAsync($"/items/{id}", new { name = $"By {role}", price = 2m })).ShouldBeJsonAsync();
            var stock = await (await staff.PutAsJsonAsync($"/items/{id}/stock", new { in_stock = 3 })).ShouldBeJsonAsync();
            Assert.Equal(3, stock.GetProperty("in_stock").GetInt32());
            Assert.Equal(HttpStatusCode.NoContent, (await staff.DeleteAsync($"/items/{id}")).StatusCode);
        }
    }

    [Fact]
    public async Task Registering_a_staff_like_name_grants_nothing()
    {
        // Under the old settings whoever registered a configured admin's name first became admin: no name means anything now.
        foreach (var name in new[] { "admin", "Administrator", "root" })
        {
            using var client = factory.CreateClient();
            var registered = await client.PostAsJsonAsync("/register", new { username = name, email = $"{Guid.NewGuid():N}@example.com", password = TestAccounts.Password });
            if (registered.StatusCode == HttpStatusCode.Conflict) continue; // Another test class of this database took it: it is no admin either.
            await registered.ShouldBeJsonAsync(HttpStatusCode.Created);
            var token = (await (await TestAccounts.LoginAsync(client, name, TestAccounts.Password)).ShouldBeJsonAsync()).GetProperty("access_token").GetString();
            client.DefaultRequestHeaders.Authorization = new("Bearer", token);
            await (await client.PutAsJsonAsync($"/items/{_item}", new { name = "Mine now", price = 0.01m })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
            await (await client.PutAsJsonAsync($"/items/{_item}/stock", new { in_stock = 1 })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        }
    }

    [Fact]
    public async Task A_grant_works_at_once_and_a_revocation_within_the_cache_time()
    {
        var name = TestAccounts.NewUsername();
        using var client = factory.CreateClient();
        await TestAccounts.RegisterAsync(client, name, $"{name}@example.com");
        var token = (await (await TestAccounts.LoginAsync(client, name, TestAccounts.Password)).ShouldBeJsonAsync()).GetProperty("access_token").GetString();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        await (await client.PutAsJsonAsync($"/items/{_item}/stock", new { in_stock = 4 })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);

        var roles = factory.Services.GetRequiredService<Storefront.Api.Accounts.UserRoles>();
        Assert.True(await roles.GrantAsync(name.ToUpperInvariant(), "catalog", CancellationToken.None)); // Names ignore case, as at login.
        Assert.True(await roles.GrantAsync(name, "catalog", CancellationToken.None)); // Twice is harmless.
        // The same token: roles are read from the database, not from the token.
        await (await client.PutAsJsonAsync($"/items/{_item}/stock", new { in_stock = 4 })).ShouldBeJsonAsync();
        Assert.Contains((name, "catalog"), await roles.ListAsync(CancellationToken.None));

        Assert.True(await roles.RevokeAsync(name, "catalog", CancellationToken.None));
        await Eventually.TrueAsync(async () => (await client.PutAsJsonAsync($"/items/{_item}/stock", new { in_stock = 4 })).StatusCode == HttpStatusCode.Forbidden,
            TimeSpan.FromSeconds(30), "the revoked role stops working");
        Assert.False(await roles.GrantAsync("nobody_" + Guid.NewGuid().ToString("N")[..8], "admin", CancellationToken.None));
    }

    private static IEnumerable<Func<HttpRequestMessage>> Writes(int item) =>
    [
        () => new HttpRequestMessage(HttpMethod.Post, "/items") { Content = JsonContent.Create(new { name = "Sneaky", price = 0.01m }) },
        () => new HttpRequestMessage(HttpMethod.Put, $"/items/{item}") { Content = JsonContent.Create(new { name = "Sneaky", price = 0.01m }) },
        () => new HttpRequestMessage(HttpMethod.Delete, $"/items/{item}"),
        () => new HttpRequestMessage(HttpMethod.Put, $"/items/{item}/stock") { Content = JsonContent.Create(new { in_stock = 1_000 }) },
    ];
}

public sealed class SqliteRoleTests(SqliteStorefrontFactory factory) : RoleTests(factory), IClassFixture<SqliteStorefrontFactory>;

public sealed class PostgresRoleTests(PostgresStorefrontFactory factory) : RoleTests(factory), IClassFixture<PostgresStorefrontFactory>;

/// <summary>The old settings no longer make anyone an admin, and a deployment that still sets them is told so at startup.</summary>
public sealed class AdminSettingTests
{
    [Fact]
    public void Accounts__Admins_stops_startup_with_the_command_that_replaces_it()
    {
        using var factory = new SqliteStorefrontFactory();
        factory.With("Accounts:Admins:0", "someone");
        var failure = Assert.Throws<OptionsValidationException>(() => factory.CreateClient());
        Assert.Contains("Accounts__Admins is no longer read", failure.Message, StringComparison.Ordinal);
        Assert.Contains("users grant NAME admin", failure.Message, StringComparison.Ordinal);
    }
}
