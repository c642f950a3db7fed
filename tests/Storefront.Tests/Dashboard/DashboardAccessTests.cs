using System.Net.Http.Headers;

namespace Storefront.Tests.Dashboard;

/// <summary>Outside Development the dashboard is off unless enabled, and then only holders of the admin role watch.</summary>
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
        var admin = TestAccounts.NewUsername();
        using var factory = new SqliteStorefrontFactory();
        factory.With("Dashboard:Enabled", "true");
        using var client = factory.CreateClient();

        // The page holds no data: anyone may load it.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/dashboard")).StatusCode);
        await (await client.GetAsync("/dashboard/stream")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        using (var forged = Request("/dashboard/stream", "not-a-token"))
            await (await client.SendAsync(forged)).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);

        using var someone = await factory.CreateAuthenticatedClientAsync();
        var refused = await (await someone.GetAsync("/dashboard/stream")).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        Assert.Contains("role admin", refused.Detail, StringComparison.Ordinal);

        // The page asks for text/event-stream, which no Problem Details writer serves: still a 403 (once a 500), without a body.
        using (var asked = new HttpRequestMessage(HttpMethod.Get, "/dashboard/stream") { Headers = { Accept = { new("text/event-stream") } } })
            Assert.Equal(HttpStatusCode.Forbidden, (await someone.SendAsync(asked)).StatusCode);

        // Catalog staff is not enough: the dashboard is for admins.
        using var staff = await factory.CreateStaffClientAsync("catalog");
        await (await staff.GetAsync("/dashboard/stream")).ShouldBeProblemAsync(HttpStatusCode.Forbidden);

        using var adminClient = await factory.CreateAdminClientAsync(admin);
        await using (var stream = await SnapshotStream.OpenAsync(adminClient))
            Assert.False((await stream.NextAsync()).Development);

        await (await adminClient.PostAsync("/dashboard/load", null)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    private static HttpRequestMessage Request(string path, string token) =>
        new(HttpMethod.Get, path) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };
}
