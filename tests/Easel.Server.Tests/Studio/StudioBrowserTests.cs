using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Easel.Server.Tests.Infrastructure;
using Easel.Server.Tests.OpenApi;
using Easel.Testing;
using Microsoft.Playwright;

namespace Easel.Server.Tests.Studio;

/// <summary>
/// The studio as a person uses it, in Debian's Chromium against a real server: sign in, upload, place on a larger
/// canvas, paint a mask, submit, watch the event stream to 100, chain operations on a result, the history and a task's
/// page, cancel; an admin's accounts and keys. Markup in a prompt or a name stays text; no request leaves the origin.
/// </summary>
public sealed class StudioBrowserTests
{
    private const string MarkupName = "<b id=\"injected\">Ann</b> & <img src=x id=\"injected-img\">";

    [ChromiumFact]
    public async Task A_user_uploads_places_masks_submits_watches_and_chains_operations_on_a_result()
    {
        await using var studio = await StudioBrowser.StartAsync();
        var (key, _) = await NewAccountAsync(studio.Server, MarkupName);
        var page = studio.Page;
        var dialogs = 0;
        page.Dialog += async (_, dialog) =>
        {
            dialogs++;
            await dialog.DismissAsync();
        };

        await studio.SignInAsync(key);
        await Assertions.Expect(page.Locator("#account-name")).ToHaveTextAsync(MarkupName);
        Assert.Equal(0, await page.Locator("#injected, #injected-img").CountAsync());

        // Upload a 96x64 PNG and place it on a 320x240 canvas.
        await page.Locator("#file-input").SetInputFilesAsync(new FilePayload { Name = "source.png", MimeType = "image/png", Buffer = TestImages.PatternPng(96, 64) });
        await Assertions.Expect(studio.TestId("source-info")).Not.ToBeEmptyAsync(new() { Timeout = 15_000 });
        await page.Locator("#canvas-width").FillAsync("320");
        await page.Locator("#canvas-height").FillAsync("240");
        await studio.TestId("canvas-apply").ClickAsync();

        // A polygon on the canvas, clicked at four canvas points and closed with Enter.
        await studio.TestId("mode-mask").ClickAsync();
        await studio.TestId("tool-polygon").ClickAsync();
        var board = await page.Locator("#canvas-container .ce-board").BoundingBoxAsync();
        Assert.NotNull(board);
        double[] corners = [40, 30, 200, 30, 200, 150, 40, 150];
        for (var i = 0; i < corners.Length; i += 2)
        {
            await page.Mouse.ClickAsync((float)(board.X + (corners[i] * board.Width / 320)), (float)(board.Y + (corners[i + 1] * board.Height / 240)));
        }
        await page.Keyboard.PressAsync("Enter");

        await page.Locator("#model-select").SelectOptionAsync("mj-v7-upload-paint");
        await page.Locator("#prompt").FillAsync("<img src=x id=\"injected-prompt\" onerror=\"alert(1)\"> a quiet harbour");
        var create = await page.RunAndWaitForResponseAsync(() => page.Locator("#submit").ClickAsync(),
            r => r.Request.Method == "POST" && r.Url.EndsWith("/v1/images/generations", StringComparison.Ordinal));
        Assert.True(create.Ok, await create.TextAsync());

        // The request carries the mask as painted: the polygon, scaled into its frame, back on the canvas within a pixel.
        var body = JsonNode.Parse(create.Request.PostData!)!;
        Assert.Equal("mj-v7-upload-paint", body["model"]!.GetValue<string>());
        Assert.Equal(320, body["model_params"]!["canvas"]!["width"]!.GetValue<int>());
        var area = Assert.Single(body["model_params"]!["mask"]!["areas"]!.AsArray())!;
        var (fw, fh) = (area["width"]!.GetValue<double>(), area["height"]!.GetValue<double>());
        var points = area["points"]!.AsArray().Select(p => p!.GetValue<double>()).ToArray();
        Assert.Equal(8, points.Length);
        for (var i = 0; i < 8; i += 2)
        {
            Assert.InRange(points[i] * 320 / fw, corners[i] - 1.5, corners[i] + 1.5);
            Assert.InRange(points[i + 1] * 240 / fh, corners[i + 1] - 1.5, corners[i + 1] + 1.5);
        }

        // Progress through the event stream, to 100, and four images.
        var first = page.Locator($"[data-testid=\"task-card\"][data-task-id=\"{JsonNode.Parse(await create.TextAsync())!["id"]}\"]");
        await Assertions.Expect(first).ToHaveAttributeAsync("data-status", "completed", new() { Timeout = 60_000 });
        Assert.Equal("100", await first.Locator("[data-testid=\"progress\"]").GetAttributeAsync("value"));
        Assert.Contains(studio.Requests, u => Regex.IsMatch(u, "/v1/tasks/[^/]+/events$"));
        await Assertions.Expect(first.Locator("[data-testid=\"result-image\"]")).ToHaveCountAsync(4);

        // Result 2, upscaled; then the upscale panned right (each card found by the id its create answered).
        var upscale = await CardOfCreateAsync(studio,
            () => first.Locator("[data-testid=\"result-card\"][data-index=\"2\"] [data-testid=\"result-upscale\"]").ClickAsync());
        await Assertions.Expect(upscale).ToHaveAttributeAsync("data-status", "completed", new() { Timeout = 60_000 });
        await Assertions.Expect(upscale.Locator("[data-testid=\"result-image\"]")).ToHaveCountAsync(1);
        var pan = await CardOfCreateAsync(studio,
            () => upscale.Locator("[data-testid=\"result-card\"][data-index=\"0\"] [data-testid=\"result-pan-right\"]").ClickAsync());
        await Assertions.Expect(pan).ToHaveAttributeAsync("data-status", "completed", new() { Timeout = 90_000 });
        await Assertions.Expect(pan.Locator("[data-testid=\"result-image\"]")).ToHaveCountAsync(4);

        // The server agrees: upload-paint, upscale of image 2, pan of the upscale.
        using var client = studio.Server.Client(key);
        var (_, list) = await client.GetJsonAsync("/v1/tasks?limit=10");
        Assert.Equal(["mj-v7-pan", "mj-v7-upscale", "mj-v7-upload-paint"], list["data"]!.AsArray().Select(t => t!["model"]!.GetValue<string>()));

        // History: the three tasks, newest first; one's page.
        await page.Locator("#nav-history").ClickAsync();
        await Assertions.Expect(studio.TestId("history-row")).ToHaveCountAsync(3, new() { Timeout = 15_000 });
        await studio.TestId("history-row").Last.Locator("[data-testid=\"history-open\"]").ClickAsync();
        await Assertions.Expect(studio.TestId("task-page")).ToBeVisibleAsync();
        await Assertions.Expect(studio.TestId("task-page-status")).ToContainTextAsync("completed");
        await Assertions.Expect(studio.TestId("task-page-results").Locator("img")).ToHaveCountAsync(4);

        Assert.Equal(0, await page.Locator("#injected, #injected-img, #injected-prompt").CountAsync());
        Assert.Equal(0, dialogs);
        studio.AssertNothingLeftTheOrigin();
    }

    [ChromiumFact]
    public async Task A_mask_polygons_cannot_say_is_sent_as_an_uploaded_mask_image_that_matches_the_painting()
    {
        await using var studio = await StudioBrowser.StartAsync();
        var (key, _) = await NewAccountAsync(studio.Server, "dabs");
        var page = studio.Page;
        await studio.SignInAsync(key);
        await page.Locator("#file-input").SetInputFilesAsync(new FilePayload { Name = "source.png", MimeType = "image/png", Buffer = TestImages.PatternPng(96, 64) });
        await Assertions.Expect(studio.TestId("source-info")).Not.ToBeEmptyAsync(new() { Timeout = 15_000 });
        await page.Locator("#canvas-width").FillAsync("2048");
        await page.Locator("#canvas-height").FillAsync("2048");
        await studio.TestId("canvas-apply").ClickAsync();
        await studio.TestId("mode-mask").ClickAsync();
        await studio.TestId("tool-brush").ClickAsync();

        // 72 separate dabs: more regions than the API's 64 mask areas, so the mask must travel as an image.
        var board = await page.Locator("#canvas-container .ce-board").BoundingBoxAsync();
        Assert.NotNull(board);
        var centres = new List<(int X, int Y)>();
        for (var row = 0; row < 8; row++)
        {
            for (var column = 0; column < 9; column++)
            {
                centres.Add((150 + (column * 220), 150 + (row * 250)));
            }
        }
        foreach (var (x, y) in centres)
        {
            await page.Mouse.ClickAsync((float)(board.X + (x * board.Width / 2048)), (float)(board.Y + (y * board.Height / 2048)));
        }
        await page.Locator("#model-select").SelectOptionAsync("mj-v7-upload-paint");
        await page.Locator("#prompt").FillAsync("dabs");
        var create = await page.RunAndWaitForResponseAsync(() => page.Locator("#submit").ClickAsync(),
            r => r.Request.Method == "POST" && r.Url.EndsWith("/v1/images/generations", StringComparison.Ordinal), new() { Timeout = 60_000 });
        Assert.True(create.Ok, await create.TextAsync());

        var body = JsonNode.Parse(create.Request.PostData!)!;
        var maskUrl = body["model_params"]!["mask"]!["url"]!.GetValue<string>();
        Assert.StartsWith(studio.Server.Url + "/files/", maskUrl, StringComparison.Ordinal);
        using var client = studio.Server.Client(key);
        var mask = TestImages.Decode(await client.DownloadAsync(maskUrl));
        Assert.Equal((2048, 2048), (mask.Width, mask.Height));
        byte Luma(int x, int y) => mask.Pixels[((y * mask.Width) + x) * 4];
        Assert.All(centres, c => Assert.True(Luma(c.X, c.Y) > 200, $"the dab at {c} is not white in the mask"));
        Assert.All(centres, c => Assert.True(Luma(c.X + 110, c.Y + 125) < 50, $"between dabs, near {c}, the mask is not black"));
        studio.AssertNothingLeftTheOrigin();
    }

    [ChromiumFact]
    public async Task A_task_still_running_is_cancelled_from_the_history()
    {
        await using var images = await ImageServer.StartAsync();
        var held = new TaskCompletionSource();
        var slow = images.Handle("/slow.png", async http =>
        {
            await held.Task.WaitAsync(http.RequestAborted);
        });
        await using var studio = await StudioBrowser.StartAsync();
        try
        {
            var (key, _) = await NewAccountAsync(studio.Server, "canceller");
            using var client = studio.Server.Client(key);
            var (_, created) = await client.PostJsonAsync("/v1/images/generations", Requests.UnifiedUploadPaint(slow));
            var id = created["id"]!.GetValue<string>();

            await studio.SignInAsync(key);
            await studio.Page.Locator("#nav-history").ClickAsync();
            var row = studio.Page.Locator($"[data-testid=\"history-row\"][data-task-id=\"{id}\"]");
            await Assertions.Expect(row).ToBeVisibleAsync(new() { Timeout = 15_000 });
            studio.Page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
            await row.Locator("[data-testid=\"history-cancel\"]").ClickAsync();

            await Assertions.Expect(studio.Page.Locator($"[data-testid=\"history-row\"][data-task-id=\"{id}\"]"))
                .ToHaveAttributeAsync("data-status", "failed", new() { Timeout = 15_000 });
            var (_, task) = await client.GetJsonAsync($"/v1/tasks/{id}");
            Assert.Equal("request_cancelled", task["error"]!["code"]!.GetValue<string>());
            studio.AssertNothingLeftTheOrigin();
        }
        finally
        {
            held.TrySetResult();
        }
    }

    [ChromiumFact]
    public async Task An_admin_creates_an_account_and_a_key_tops_up_credits_and_revokes_the_key()
    {
        await using var studio = await StudioBrowser.StartAsync();
        var page = studio.Page;
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await studio.SignInAsync(EaselHost.AdminKey);

        await page.Locator("#nav-admin").ClickAsync();
        await studio.TestId("admin-account-name").FillAsync(MarkupName);
        await studio.TestId("admin-account-credits").FillAsync("50");
        await studio.TestId("admin-account-submit").ClickAsync();
        var firstKey = (await studio.TestId("admin-created-key").TextContentAsync(new() { Timeout = 15_000 }))!.Trim();
        Assert.StartsWith("esk_", firstKey, StringComparison.Ordinal);
        var row = studio.TestId("admin-account-row").Filter(new() { HasText = MarkupName });
        await Assertions.Expect(row).ToHaveCountAsync(1);
        Assert.Equal(0, await page.Locator("#injected, #injected-img").CountAsync());

        await row.Locator("[data-testid=\"admin-account-open\"]").ClickAsync();
        await studio.TestId("admin-credits-amount").FillAsync("25");
        await studio.TestId("admin-credits-reason").FillAsync("top-up");
        await studio.TestId("admin-credits-submit").ClickAsync();
        await Assertions.Expect(studio.TestId("admin-balance")).ToContainTextAsync("75", new() { Timeout = 15_000 });

        await studio.TestId("admin-key-name").FillAsync("second");
        await studio.TestId("admin-key-submit").ClickAsync();
        var secondKey = (await studio.TestId("admin-new-key-value").TextContentAsync(new() { Timeout = 15_000 }))!.Trim();
        Assert.StartsWith("esk_", secondKey, StringComparison.Ordinal);
        using (var before = studio.Server.Client(secondKey))
        {
            Assert.Equal(200, (int)(await before.GetAsync("/v1/account")).StatusCode);
        }

        var keyRow = studio.TestId("admin-key-row").Filter(new() { HasText = "second" });
        await keyRow.Locator("[data-testid=\"admin-key-revoke\"]").ClickAsync();
        await Assertions.Expect(keyRow).ToContainTextAsync("revoked", new() { Timeout = 15_000 });

        using var revoked = studio.Server.Client(secondKey);
        Assert.Equal(401, (int)(await revoked.GetAsync("/v1/account")).StatusCode);
        using var kept = studio.Server.Client(firstKey);
        Assert.Equal(200, (int)(await kept.GetAsync("/v1/account")).StatusCode);
        studio.AssertNothingLeftTheOrigin();
    }

    [ChromiumFact]
    public async Task At_tablet_width_nothing_scrolls_sideways_the_help_lists_the_shortcuts_and_the_theme_toggles()
    {
        await using var studio = await StudioBrowser.StartAsync();
        var (key, _) = await NewAccountAsync(studio.Server, "tablet");
        var page = studio.Page;
        await page.SetViewportSizeAsync(768, 1024);
        await studio.SignInAsync(key);

        Assert.True(await page.EvaluateAsync<bool>("() => document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth"),
            "the page scrolls sideways at 768 px");
        await page.Locator("body").PressAsync("?");
        await Assertions.Expect(page.Locator("#help-dialog")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#help-dialog")).ToContainTextAsync("Ctrl+Z");
        await studio.TestId("help-close").ClickAsync();
        var before = await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");
        await page.Locator("#theme-toggle").ClickAsync();
        var after = await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");
        Assert.NotEqual(before, after);
        // The theme is the one thing kept in local storage; the key only in the tab's session storage.
        Assert.Equal(new[] { "easel.theme" }, await page.EvaluateAsync<string[]>("() => Object.keys(localStorage)"));
        Assert.DoesNotContain(key, await page.EvaluateAsync<string>("() => JSON.stringify(localStorage)"), StringComparison.Ordinal);
        studio.AssertNothingLeftTheOrigin();
    }

    // The task card of the task a click creates: the create's answer names it.
    private static async Task<ILocator> CardOfCreateAsync(StudioBrowser studio, Func<Task> click)
    {
        var response = await studio.Page.RunAndWaitForResponseAsync(click,
            r => r.Request.Method == "POST" && r.Url.EndsWith("/v1/images/generations", StringComparison.Ordinal));
        Assert.True(response.Ok, await response.TextAsync());
        var id = JsonNode.Parse(await response.TextAsync())!["id"]!.GetValue<string>();
        return studio.Page.Locator($"[data-testid=\"task-card\"][data-task-id=\"{id}\"]");
    }

    private static async Task<(string Key, string AccountId)> NewAccountAsync(ServerProcess server, string name)
    {
        using var admin = server.Client();
        var (status, body) = await admin.PostJsonAsync("/admin/accounts", new { name, credits = 1000m });
        Assert.True(status == 201, body.ToJsonString());
        return (body["api_key"]!.GetValue<string>(), body["account_id"]!.GetValue<string>());
    }
}
