namespace Storefront.Tests.Conventions;

/// <summary>/docs and /dashboard cannot be framed by another site (clickjacking).</summary>
public sealed class FramingTests
{
    [Theory]
    [InlineData("/docs/index.html")]
    [InlineData("/dashboard")]
    [InlineData("/dashboard/index.html")]
    public async Task The_browser_pages_forbid_framing(string path)
    {
        await using var host = new SqliteStorefrontFactory();
        host.With("Dashboard:Enabled", "true");
        using var client = host.CreateClient();
        var response = await client.GetAsync(path);
        response.EnsureSuccessStatusCode();
        Assert.Contains("frame-ancestors 'none'", string.Join(";", response.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
    }
}
