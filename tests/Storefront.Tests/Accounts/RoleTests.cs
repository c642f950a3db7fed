using Microsoft.Extensions.Options;
using Storefront.Api.Catalog;
using Storefront.Api.Inventory;

namespace Storefront.Tests.Accounts;

/// <summary>
/// Roles live in the database and only the operator's command grants them: catalog writes and stock need catalog staff
/// (catalog or admin) in every environment, reads stay public. Once per store.
/// </summary>
public abstract class RoleTests(StorefrontFactory factory) : StaffClientTests(factory)
{
    private int _item;

    public override async ValueTask InitializeAsync()
    {
        Factory.With("Accounts:RoleCacheSeconds", "1");
        await base.InitializeAsync();
        _item = await Staff.CreateItemAsync("Guarded", 5m);
    }

    [Fact]
    public async Task Catalog_writes_are_401_anonymous_403_naming_the_role_for_a_user_and_200_for_staff()
    {
        using var anonymous = Factory.CreateClient();
        foreach (var write in Writes(_item)) await (await anonymous.SendAsync(write())).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);

        using var user = await Factory.CreateAuthenticatedClientAsync();
        foreach (var write in Writes(_item))
        {
            var problem = await (await user.SendAsync(write())).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
            var detail = problem.Detail;
            Assert.Contains("role catalog or admin", detail, StringComparison.Ordinal);
            Assert.Contains("users grant", detail, StringComparison.Ordinal);
        }
        // Reads stay public; the refused writes changed nothing.
        Assert.Equal(5m, (await anonymous.GetItemAsync(_item)).Price);

        foreach (var role in new[] { "catalog", "admin" })
        {
            using var staff = await Factory.CreateStaffClientAsync(role);
            var id = await staff.CreateItemAsync($"By {role}", 1m);
            await (await staff.PutAsJsonAsync($"/items/{id}", new { name = $"By {role}", price = 2m })).ShouldBeJsonAsync();
            var stock = await (await staff.PutAsJsonAsync($"/items/{id}/stock", new { in_stock = 3 })).ShouldBeJsonAsync<StockResponse>();
            Assert.Equal(3, stock.InStock);
            Assert.Equal(HttpStatusCode.NoContent, (await staff.DeleteAsync($"/items/{id}")).StatusCode);
        }
    }

    [Fact]
    public async Task Registering_a_staff_like_name_grants_nothing()
    {
        // Under the old settings whoever registered a configured admin's name first became admin: no name means anything now.
        foreach (var name in new[] { "admin", "Administrator", "root" })
        {
            using var client = Factory.CreateClient();
            var registered = await client.PostAsJsonAsync("/register", new { username = name, email = $"{Guid.NewGuid():N}@example.com", password = TestAccounts.Password });
            if (registered.StatusCode == HttpStatusCode.Conflict) continue; // Another test class of this database took it: it is no admin either.
            await registered.ShouldBeJsonAsync(HttpStatusCode.Created);
            var token = await TestAccounts.TokenAsync(client, name);
            client.DefaultRequestHeaders.Authorization = new("Bearer", token);
            await (await client.PutAsJsonAsync($"/items/{_item}", new { name = "Mine now", price = 0.01m })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
            await (await client.PutAsJsonAsync($"/items/{_item}/stock", new { in_stock = 1 })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        }
    }

    [Fact]
    public async Task A_grant_works_at_once_and_a_revocation_within_the_cache_time()
    {
        var name = TestAccounts.NewUsername();
        using var client = Factory.CreateClient();
        await TestAccounts.RegisterAsync(client, name, $"{name}@example.com");
        var token = await TestAccounts.TokenAsync(client, name);
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        await (await client.PutAsJsonAsync($"/items/{_item}/stock", new { in_stock = 4 })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);

        var roles = Factory.Services.GetRequiredService<Storefront.Api.Accounts.UserRoles>();
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
