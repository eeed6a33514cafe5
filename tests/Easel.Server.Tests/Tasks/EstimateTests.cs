using Easel.Core.Operations;
using Easel.Core.Tasks;
using Easel.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Easel.Testing;

namespace Easel.Server.Tests.Tasks;

public sealed class EstimateTests
{
    [Fact]
    public async Task The_estimate_comes_from_the_recent_durations_of_the_same_operation()
    {
        await using var images = await ImageServer.StartAsync();
        using var host = new EaselHost();
        using var client = await host.NewAccountAsync();
        var url = images.Serve("/a.png", TestImages.PatternPng(32, 32));
        for (var i = 0; i < 3; i++)
        {
            var (_, created) = await client.PostJsonAsync("/v1/images/generations", Requests.UnifiedUploadPaint(url, canvas: 64));
            await client.UnifiedDoneAsync(created["id"]!.GetValue<string>());
        }
        var store = host.Services.GetRequiredService<ITaskStore>();
        var measured = await store.RecentDurationSecondsAsync(OperationKind.UploadPaint, 20, CancellationToken.None);
        Assert.NotNull(measured);
        Assert.InRange(measured!.Value, 0.0001, 10);
        Assert.Null(await store.RecentDurationSecondsAsync(OperationKind.Remix, 20, CancellationToken.None));

        var tasks = host.Services.GetRequiredService<TaskService>();
        // From the measured durations (sub-second here, so at least 1), not the 15 s used when there are none.
        Assert.InRange(await tasks.EstimatedSecondsAsync(OperationKind.UploadPaint, CancellationToken.None), 1, 10);
        Assert.Equal(15, await tasks.EstimatedSecondsAsync(OperationKind.Remix, CancellationToken.None));
    }
}
