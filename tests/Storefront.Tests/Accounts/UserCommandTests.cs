namespace Storefront.Tests.Accounts;

/// <summary>
/// The operator's command, run as a process as an operator runs it (<c>dotnet Storefront.Api.dll users ...</c>), against
/// the store the settings name: the embedded SQLite of a running instance, and one PostgreSQL behind two instances.
/// </summary>
public sealed class UserCommandTests
{
    [Fact]
    public async Task Grant_list_and_revoke_against_the_embedded_store_of_a_running_instance()
    {
        var storage = Path.Combine(Path.GetTempPath(), "storefront-tests", Guid.NewGuid().ToString("N"));
        await using var service = await ServiceProcess.StartAsync(new Dictionary<string, string>
        {
            ["Storage__Path"] = storage,
            ["Accounts__RoleCacheSeconds"] = "1",
        });
        using var client = service.CreateClient();
        var name = TestAccounts.NewUsername();
        await TestAccounts.RegisterAsync(client, name, $"{name}@example.com");
        client.DefaultRequestHeaders.Authorization = new("Bearer",
            await TestAccounts.TokenAsync(client, name));
        var problem = await (await client.PutAsJsonAsync("/items/1/stock", new { in_stock = 5 })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        Assert.Contains("users grant", problem.Detail, StringComparison.Ordinal);

        var (code, output) = await service.RunCommandAsync("users", "grant", name, "admin");
        Assert.True(code == 0, output);
        Assert.Contains($"{name} holds admin", output, StringComparison.Ordinal);
        await (await client.PutAsJsonAsync("/items/1/stock", new { in_stock = 5 })).ShouldBeJsonAsync();
        (code, output) = await service.RunCommandAsync("users", "list");
        Assert.True(code == 0, output);
        Assert.Contains($"{name}\tadmin", output, StringComparison.Ordinal);

        Assert.Equal(2, (await service.RunCommandAsync("users", "grant", name, "owner")).ExitCode);
        Assert.Equal(2, (await service.RunCommandAsync("users", "promote", name)).ExitCode);
        var missing = await service.RunCommandAsync("users", "grant", "nobody_here", "admin");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("No user 'nobody_here'", missing.Output, StringComparison.Ordinal);

        (code, output) = await service.RunCommandAsync("users", "revoke", name, "admin");
        Assert.True(code == 0, output);
        await Eventually.TrueAsync(async () => (await client.PutAsJsonAsync("/items/1/stock", new { in_stock = 6 })).StatusCode == HttpStatusCode.Forbidden,
            TimeSpan.FromSeconds(30), "the revoked admin is refused");
        try { Directory.Delete(storage, recursive: true); } catch (IOException) { } // Best effort: a temp folder.
    }

    [Fact]
    public async Task A_grant_on_postgresql_holds_on_both_instances_and_so_does_its_revocation()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        await Migrations.MigrateAsync(database.ConnectionString);
        await using var a = new SqliteStorefrontFactory();
        await using var b = new SqliteStorefrontFactory();
        foreach (var instance in new[] { a, b })
            instance.With("ConnectionStrings:Postgres", database.ConnectionString).With("Accounts:RoleCacheSeconds", "1");
        using var viaA = a.CreateClient();
        using var viaB = b.CreateClient();
        var name = TestAccounts.NewUsername();
        await TestAccounts.RegisterAsync(viaA, name, $"{name}@example.com");
        var token = await TestAccounts.TokenAsync(viaB, name);
        viaA.DefaultRequestHeaders.Authorization = new("Bearer", token);
        viaB.DefaultRequestHeaders.Authorization = new("Bearer", token);
        foreach (var client in new[] { viaA, viaB })
            await (await client.PostAsJsonAsync("/items", new { name = "Not yet", price = 1m })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);

        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings__Postgres"] = database.ConnectionString,
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Jwt__SigningKey"] = StorefrontFactory.SigningKey,
        };
        var (code, output) = await ServiceProcess.RunAsync(settings, "users", "grant", name, "catalog");
        Assert.True(code == 0, output);
        foreach (var client in new[] { viaA, viaB })
            await (await client.PostAsJsonAsync("/items", new { name = "Staff's", price = 1m })).ShouldBeJsonAsync(HttpStatusCode.Created);

        (code, output) = await ServiceProcess.RunAsync(settings, "users", "revoke", name, "catalog");
        Assert.True(code == 0, output);
        foreach (var client in new[] { viaA, viaB })
            await Eventually.TrueAsync(async () => (await client.PostAsJsonAsync("/items", new { name = "Revoked", price = 1m })).StatusCode == HttpStatusCode.Forbidden,
                TimeSpan.FromSeconds(30), "each instance refuses the revoked role");
    }
}
