using Easel.Server.Tests.Infrastructure;
using Easel.Server.Tests.OpenApi;
using Easel.Testing;
using Microsoft.Playwright;

namespace Easel.Server.Tests.Studio;

/// <summary>
/// A real server process and Debian's Chromium driven by Playwright, with every request the page makes recorded, so a
/// test can check that none leaves the server's origin. Launched with the flags this machine's closed network needs.
/// </summary>
internal sealed class StudioBrowser : IAsyncDisposable
{
    private readonly string _data;
    private readonly List<string> _requests = [];

    private StudioBrowser(ServerProcess server, IPlaywright playwright, IBrowser browser, IPage page, string data)
    {
        Server = server;
        Playwright = playwright;
        Browser = browser;
        Page = page;
        _data = data;
    }

    public ServerProcess Server { get; }
    public IPlaywright Playwright { get; }
    public IBrowser Browser { get; }
    public IPage Page { get; }

    /// <summary>Every URL the page requested, in order.</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public static async Task<StudioBrowser> StartAsync(IDictionary<string, string>? settings = null)
    {
        var data = Path.Combine(Path.GetTempPath(), "easel-tests", Guid.NewGuid().ToString("N"));
        var server = await ServerProcess.StartAsync(data, EaselHost.AdminKey, settings ?? new Dictionary<string, string> { ["Easel__Workers"] = "2" });
        var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumFactAttribute.Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
        });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 720 } });
        var page = await context.NewPageAsync();
        var studio = new StudioBrowser(server, playwright, browser, page, data);
        page.Request += (_, request) =>
        {
            lock (studio._requests)
            {
                studio._requests.Add(request.Url);
            }
        };
        // An error in the page's own scripts fails the test that caused it, not silently.
        page.PageError += (_, error) =>
        {
            lock (studio._requests)
            {
                studio.PageErrors.Add(error);
            }
        };
        return studio;
    }

    public List<string> PageErrors { get; } = [];

    /// <summary>Every request went to the server's own origin (or stayed in the page: data: and blob: URLs).</summary>
    public void AssertNothingLeftTheOrigin()
    {
        var foreign = Requests.Where(u => !u.StartsWith(Server.Url + "/", StringComparison.Ordinal)
            && !u.StartsWith("data:", StringComparison.Ordinal) && !u.StartsWith("blob:", StringComparison.Ordinal)).ToList();
        Assert.True(foreign.Count == 0, "requests left the origin: " + string.Join(", ", foreign));
        Assert.True(PageErrors.Count == 0, "the page raised: " + string.Join("; ", PageErrors));
    }

    public async Task SignInAsync(string key)
    {
        await Page.GotoAsync(Server.Url + "/");
        await Page.Locator("#signin-key").FillAsync(key);
        await Page.Locator("#signin-submit").ClickAsync();
        await Assertions.Expect(Page.Locator("#account-name")).Not.ToBeEmptyAsync(new() { Timeout = 15_000 });
    }

    public ILocator TestId(string id) => Page.Locator($"[data-testid=\"{id}\"]");

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
        Server.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }
}
