using Easel.Testing;
using Easel.Server.Tests.Infrastructure;

namespace Easel.Server.Tests.Callbacks;

/// <summary>Deliveries are durable: a restart resumes a pending one, and never repeats a delivered one.</summary>
public sealed class CallbackRestartTests
{
    [Fact]
    public async Task A_pending_delivery_survives_a_kill_and_a_delivered_one_is_not_sent_again()
    {
        await using var images = await ImageServer.StartAsync();
        await using var receiver = await CallbackReceiver.StartAsync();
        receiver.Status = _ => 503;
        var data = Path.Combine(Path.GetTempPath(), "easel-tests", Guid.NewGuid().ToString("N"));
        // A kill between a send and its record leaves the delivery claimed until the claim expires (the at-least-once
        // point): a short claim keeps every kill point within the test's wait.
        var settings = new Dictionary<string, string> { ["Easel__Callbacks__LeaseDuration"] = "00:00:03" };
        try
        {
            string id;
            using (var first = await ServerProcess.StartAsync(data, EaselHost.AdminKey, settings))
            using (var client = first.Client())
            {
                var body = Requests.ClassicUploadPaint(images.Serve("/a.png", TestImages.PatternPng(16, 16)), canvas: 32);
                body["callback"] = receiver.Url;
                var (_, task) = await client.PostJsonAsync("/model/v1/generation", body);
                id = task["id"]!.GetValue<string>();
                await receiver.WaitForAsync(1, TimeSpan.FromSeconds(20));
                first.Kill();
            }
            var failedAttempts = receiver.Requests.Count;
            Assert.InRange(failedAttempts, 1, 3);

            receiver.Status = _ => 200;
            using (var second = await ServerProcess.StartAsync(data, EaselHost.AdminKey, settings))
            using (var client = second.Client())
            {
                var delivery = await CallbackDeliveryTests.WaitForStateAsync(client, $"/v1/tasks/{id}/callbacks", "delivered", TimeSpan.FromSeconds(20));
                // Every attempt but the delivering one failed; one killed before its record is sent but not counted.
                Assert.InRange(delivery["attempts"]!.GetValue<int>(), failedAttempts, failedAttempts + 1);
                second.Kill();
            }
            Assert.Equal(failedAttempts + 1, receiver.Requests.Count);
            Assert.Single(receiver.Requests.Select(r => r.DeliveryId).Distinct());

            using (var third = await ServerProcess.StartAsync(data, EaselHost.AdminKey, settings))
            {
                await Task.Delay(TimeSpan.FromSeconds(3));
            }
            Assert.Equal(failedAttempts + 1, receiver.Requests.Count);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }
}
