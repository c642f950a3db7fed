using Microsoft.Playwright;

namespace Storefront.Tests.ApiDescription;

/// <summary>/docs (Swagger UI) in Debian's chromium: Authorize with a real token, then call a protected endpoint from the page.</summary>
public sealed class DocsBrowserTests(SqliteStorefrontFactory factory) : IClassFixture<SqliteStorefrontFactory>
{
    private const float Patience = 45_000;

    [Fact]
    public async Task Docs_page_authorizes_with_a_bearer_token_and_calls_a_protected_endpoint()
    {
        using var http = factory.CreateClient();
        var token = await TestAccounts.RegisterAndLoginAsync(http);
        await using var browser = await Chromium.LaunchAsync();
        var docs = await browser.OpenAsync(new Uri(http.BaseAddress!, "/docs/index.html"));
        var page = docs.Page;

        await page.ClickAsync("button.authorize", new() { Timeout = Patience });
        await page.FillAsync(".modal-ux input[type=text]", token, new() { Timeout = Patience });
        await page.ClickAsync(".modal-ux button.authorize[type=submit]");
        await page.ClickAsync(".modal-ux button.btn-done");

        // GET /users/me: the operation's block, "Try it out", "Execute", then the status the page shows.
        var operation = page.Locator("#operations-Accounts-getUsersMe");
        await operation.Locator(".opblock-summary").ClickAsync(new() { Timeout = Patience });
        await operation.Locator("button.try-out__btn").ClickAsync(new() { Timeout = Patience });
        var responded = page.WaitForResponseAsync(r => r.Url.EndsWith("/users/me", StringComparison.Ordinal), new() { Timeout = Patience });
        await operation.Locator("button.execute").ClickAsync();
        var response = await responded;
        Assert.Equal(200, response.Status);
        Assert.Equal($"Bearer {token}", await response.Request.HeaderValueAsync("authorization"));
        await operation.Locator(".live-responses-table .response-col_status:text('200')").First.WaitForAsync(new() { Timeout = Patience });
        Assert.Empty(docs.Errors);
        // The token lives in the page, not in storage any script of the origin can read later.
        var stored = await page.EvaluateAsync<string>("() => JSON.stringify(Object.assign({}, localStorage)) + JSON.stringify(Object.assign({}, sessionStorage))");
        Assert.DoesNotContain(token, stored, StringComparison.Ordinal);
    }
}
