namespace Storefront.Tests.Conventions;

/// <summary>docs/security.md exists, is linked from the README, and covers what it promises.</summary>
[ServerFree]
public sealed class SecurityDocTests
{
    [Fact]
    public async Task Security_md_says_what_is_defended_what_is_out_of_scope_and_how_to_report_and_the_readme_links_it()
    {
        var root = Repository.Root();
        var readme = await File.ReadAllTextAsync(Path.Combine(root, "README.md"));
        Assert.Contains("](docs/security.md)", readme, StringComparison.Ordinal);

        var security = await File.ReadAllTextAsync(Path.Combine(root, "docs", "security.md"));
        foreach (var heading in new[] { "## What is defended, and how", "## Out of scope", "## Reporting a problem" })
            Assert.Contains(heading, security, StringComparison.Ordinal);
        // The defences the hardening issue names, each described.
        foreach (var topic in new[] { "Limits__MaxRequestBodyBytes", "HS256", "Rate limits", "PBKDF2", "dedicated CPU-runner threads",
                     "nosniff", "AllowedHosts", "Strict JSON numbers", "\\z", "NUL", "Invalid UTF-8", "Jobs are private", "TLS" })
            Assert.Contains(topic, security, StringComparison.Ordinal);
    }
}
