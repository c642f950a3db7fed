using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Options;
using Storefront.Tests.Infrastructure;
using Storefront.Tests.Infrastructure.Servers;

namespace Storefront.Tests.Dashboard;

/// <summary>Outside Development the dashboard is off unless enabled, and then only admins named in the settings watch.</summary>
[ServerFree]
public sealed class DashboardAccessTests
{
    [Fact]
    public async Task Disabled_by_default_outside_development_so_every_path_is_404()
    {
        using var factory = new SqliteStorefrontFactory();
        using var client = factory.CreateClient();
        await (await client.GetAsync("/dashboard")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await client.GetAsync("/dashboard/stream")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await client.GetAsync("/dashboard/index.html")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await client.PostAsync("/dashboard/load", null)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Enabled_the_stream_needs_an_admin_token_and_there_is_no_load_button()
    {
        var admin = Accounts.NewUsername();
        using var factory = new SqliteStorefrontFactory();
        factory.With("Dashboard:Enabled", "true").With("Accounts:Admins:0", admin.ToUpperInvariant());
        using var client = factory.CreateClient();

        // The page holds no data: anyone may load it.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/dashboard")).StatusCode);
        await (await client.GetAsync("/dashboard/stream")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        using (var forged = Request("/dashboard/stream", "not-a-token"))
            await (await client.SendAsync(forged)).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);

        using var someone = await factory.CreateAuthenticatedClientAsync();
        await (await someone.GetAsync("/dashboard/stream")).ShouldBeProblemAsync(HttpStatusCode.Forbidden);

        await Accounts.RegisterAsync(client, admin, $"{admin}@example.com");
        var token = (await (await Accounts.LoginAsync(client, admin, Accounts.Password)).ShouldBeJsonAsync()).GetProperty("access_token").GetString()!;
        using var adminClient = factory.CreateClient();
        adminClient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        await using (var stream = await SnapshotStream.OpenAsync(adminClient))
            Assert.False((await stream.NextAsync()).GetProperty("development").GetBoolean());

        await (await adminClient.PostAsync("/dashboard/load", null)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public void Enabled_outside_development_without_admins_stops_startup()
    {
        using var factory = new SqliteStorefrontFactory();
        factory.With("Dashboard:Enabled", "true");
        var failure = Assert.Throws<OptionsValidationException>(() => factory.CreateClient());
        Assert.Contains("Accounts__Admins", failure.Message, StringComparison.Ordinal);
    }

    private static HttpRequestMessage Request(string path, string token) =>
        new(HttpMethod.Get, path) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };
}
