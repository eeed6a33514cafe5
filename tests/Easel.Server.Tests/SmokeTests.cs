using Easel.Server.Tests.Infrastructure;
using Easel.Testing;

namespace Easel.Server.Tests;

public sealed class SmokeTests
{
    [Fact]
    public async Task An_upload_paint_completes_with_four_images()
    {
        await using var images = await ImageServer.StartAsync();
        using var host = new EaselHost();
        using var client = await host.NewAccountAsync();
        var url = images.Serve("/a.png", TestImages.PatternPng(64, 64));
        var (status, created) = await client.PostJsonAsync("/v1/images/generations", Requests.UnifiedUploadPaint(url));
        Assert.Equal(200, status);
        var (task, _) = await client.UnifiedDoneAsync(created["id"]!.GetValue<string>());
        Assert.Equal("completed", task["status"]!.GetValue<string>());
        Assert.Equal(4, task["results"]!.AsArray().Count);
    }
}
