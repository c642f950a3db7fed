using Microsoft.Playwright;

namespace Storefront.Tests.Infrastructure;

/// <summary>
/// Debian's chromium driven by Playwright, headless. Playwright cannot download its own browser here, so
/// scripts/test installs the Debian package (<see cref="TestServers.Chromium"/>); without it the browser tests fail
/// rather than skip. Playwright's driver ends the browser when the run ends, also when the run is killed (its pipe closes).
/// </summary>
public sealed class Chromium : IAsyncDisposable
{
    // Without the background-networking flags chromium keeps trying to reach Google's hosts, which this
    // network refuses; the rest keep a CI container's browser quiet and predictable.
    private static readonly string[] Arguments =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private Chromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        _browser = browser;
    }

    public static async Task<Chromium> LaunchAsync()
    {
        var path = TestServers.Chromium;
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = path, Headless = true, Args = Arguments });
            return new Chromium(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>A fresh context (no cookies, empty sessionStorage) at 1280×800, recording what the page logs.</summary>
    public async Task<BrowserPage> OpenAsync(Uri url)
    {
        var context = await _browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
        var page = await context.NewPageAsync();
        var watched = new BrowserPage(page);
        await page.GotoAsync(url.ToString());
        return watched;
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}

/// <summary>A page with every console error and uncaught exception it produced.</summary>
public sealed class BrowserPage
{
    private readonly List<string> _errors = [];

    public BrowserPage(IPage page)
    {
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error") Record($"console: {message.Text}");
        };
        page.PageError += (_, error) => Record($"uncaught: {error}");
    }

    public IPage Page { get; }

    public IReadOnlyList<string> Errors
    {
        get { lock (_errors) return [.. _errors]; }
    }

    private void Record(string error)
    {
        lock (_errors) _errors.Add(error);
    }
}
