using System.Text.RegularExpressions;
using Easel.Server.Tests.Infrastructure;
using Easel.Testing;
using Microsoft.Playwright;

namespace Easel.Server.Tests.OpenApi;

public sealed partial class DocsPageTests
{
    [Fact]
    public async Task The_docs_page_is_served_without_a_key_and_lists_both_documents()
    {
        using var host = new EaselHost();
        using var client = host.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = true });
        using var page = await client.GetAsync("/docs");
        Assert.Equal(200, (int)page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var pageUrl = page.RequestMessage!.RequestUri!;
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("swagger-ui", html, StringComparison.Ordinal);

        // The page's configuration (its own scripts) names both documents, and each named URL serves its document.
        var configuration = html;
        foreach (Match script in ScriptSource().Matches(html))
        {
            configuration += await client.GetStringAsync(new Uri(pageUrl, script.Groups[1].Value));
        }
        foreach (var name in OpenApiDocuments.Names)
        {
            var reference = $"../openapi/{name}.json";
            Assert.Contains(reference, configuration, StringComparison.Ordinal);
            using var document = await client.GetAsync(new Uri(pageUrl, reference));
            Assert.Equal(200, (int)document.StatusCode);
            Assert.Contains("\"openapi\"", await document.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// A person's path through the page in a real browser (Debian's chromium): pick the unified document, Authorize
    /// with a key, try GET /v1/account. A 200 shows the key went out as a bearer token; then the classic document.
    /// </summary>
    [ChromiumFact]
    public async Task In_a_browser_a_key_entered_with_Authorize_is_sent_by_Try_it_out()
    {
        var data = Path.Combine(Path.GetTempPath(), "easel-tests", Guid.NewGuid().ToString("N"));
        using var server = await ServerProcess.StartAsync(data, EaselHost.AdminKey);
        try
        {
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ChromiumFactAttribute.Chromium,
                Headless = true,
                Args = ["--no-sandbox"],
            });
            var page = await browser.NewPageAsync();
            await page.GotoAsync($"{server.Url}/docs/");
            await page.Locator("#operations-Account-getOwnAccount").WaitForAsync(new() { Timeout = 30_000 });

            // Without a key the call is refused: the 200 below is the key's doing.
            await page.Locator("#operations-Account-getOwnAccount .opblock-summary-control").ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Try it out" }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Execute" }).ClickAsync();
            await Assertions.Expect(page.Locator("#operations-Account-getOwnAccount .live-responses-table tr.response td.response-col_status").First)
                .ToHaveTextAsync(new Regex("401"), new() { Timeout = 30_000 });

            await page.Locator(".auth-wrapper .authorize").ClickAsync();
            await page.Locator(".modal-ux input").First.FillAsync(EaselHost.AdminKey);
            await page.Locator(".modal-ux .auth-btn-wrapper .authorize").ClickAsync();
            await page.Locator(".modal-ux .btn-done").ClickAsync();

            await page.GetByRole(AriaRole.Button, new() { Name = "Execute" }).ClickAsync();
            await Assertions.Expect(page.Locator("#operations-Account-getOwnAccount .live-responses-table tr.response td.response-col_status").First)
                .ToHaveTextAsync(new Regex("200"), new() { Timeout = 30_000 });
            await Assertions.Expect(page.Locator("#operations-Account-getOwnAccount .live-responses-table tr.response td.response-col_description").First)
                .ToContainTextAsync("account_id");

            // The other document is one choice away in the same page.
            await page.Locator("select#select").SelectOptionAsync(new SelectOptionValue { Label = "Easel: classic dialect (midjourney_* models)" });
            await page.Locator("#operations-Generation-createGeneration").WaitForAsync(new() { Timeout = 30_000 });
        }
        finally
        {
            server.Kill();
            if (Directory.Exists(data))
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                Directory.Delete(data, recursive: true);
            }
        }
    }

    [GeneratedRegex("<script[^>]*src=\"([^\"]+)\"", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptSource();
}

/// <summary>A browser test: skipped on a developer machine without Debian's chromium, failed on CI (CI=true) without it.</summary>
internal sealed class ChromiumFactAttribute : FactAttribute
{
    public const string Chromium = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        var onCi = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        if (!File.Exists(Chromium) && !onCi)
        {
            Skip = "chromium is not installed (.ci/install-packages installs it: apt-get install chromium).";
        }
    }
}
