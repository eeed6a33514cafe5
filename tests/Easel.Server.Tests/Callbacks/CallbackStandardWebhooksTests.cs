using Easel.Core.Accounts;
using Easel.Core.Callbacks;
using Easel.Server.Tests.Infrastructure;
using Easel.Testing;

namespace Easel.Server.Tests.Callbacks;

/// <summary>
/// Callbacks in the Standard Webhooks form, judged by the standardwebhooks npm package (run by node) on deliveries a
/// real host sent to a real loopback receiver: what an off-the-shelf receiver accepts, and what it refuses.
/// </summary>
public sealed class CallbackStandardWebhooksTests
{
    private const string NoMatch = "WebhookVerificationError: No matching signature found";

    [StandardWebhooksFact]
    public async Task Real_deliveries_and_their_retry_verify_with_the_standardwebhooks_library_and_tampered_ones_do_not()
    {
        await using var images = await ImageServer.StartAsync();
        await using var receiver = await CallbackReceiver.StartAsync();
        receiver.Status = n => n == 1 ? 500 : 200;
        using var host = new EaselHost();
        var (_, client, created) = await host.CreateAccountAsync(new { name = "standard", credits = 100 });
        var secret = created["webhook_secret"]!.GetValue<string>();
        var body = Requests.ClassicUploadPaint(images.Serve("/a.png", TestImages.PatternPng(16, 16)), canvas: 32);
        body["callback"] = receiver.Url;
        var (_, task) = await client.PostJsonAsync("/model/v1/generation", body);
        await client.ClassicDoneAsync(task["id"]!.GetValue<string>());

        var received = await receiver.WaitForAsync(2, TimeSpan.FromSeconds(15));
        Assert.Equal(2, received.Count);
        var (first, retry) = (received[0], received[1]);
        foreach (var r in received)
        {
            // The message id is the delivery id; the timestamp is the attempt's, the one Easel-Signature signs too.
            Assert.Equal(r.DeliveryId, r.Headers["webhook-id"]);
            Assert.StartsWith($"t={r.Headers["webhook-timestamp"]},v1=", r.Signature, StringComparison.Ordinal);
            Assert.True(CallbackSignature.Verify(secret, r.Signature, r.Body));
        }
        Assert.Equal(first.Headers["webhook-id"], retry.Headers["webhook-id"]);
        // The retry comes at least 1 s after the failure, so in a later second, signed anew.
        Assert.NotEqual(first.Headers["webhook-timestamp"], retry.Headers["webhook-timestamp"]);
        Assert.NotEqual(first.Headers["webhook-signature"], retry.Headers["webhook-signature"]);

        var tamperedBody = retry.Body.Replace("\"completed\"", "\"failed\"", StringComparison.Ordinal);
        Assert.NotEqual(retry.Body, tamperedBody);
        var oldSignature = new Dictionary<string, string>(retry.Headers) { ["webhook-signature"] = first.Headers["webhook-signature"] };
        var verdicts = await StandardWebhooksVerifier.VerifyAsync(
        [
            StandardWebhooksVerifier.Message.Of(secret, first.Body, first.Headers),
            StandardWebhooksVerifier.Message.Of(secret, retry.Body, retry.Headers),
            StandardWebhooksVerifier.Message.Of(secret, tamperedBody, retry.Headers),
            // The first attempt's signature presented with the retry's timestamp: the timestamp is part of what is signed.
            StandardWebhooksVerifier.Message.Of(secret, retry.Body, oldSignature),
            StandardWebhooksVerifier.Message.Of(ApiKeys.NewWebhookSecret(), retry.Body, retry.Headers),
        ]);

        Assert.True(verdicts[0].Verified, verdicts[0].Error);
        Assert.True(verdicts[1].Verified, verdicts[1].Error);
        Assert.All(verdicts.Skip(2), v => Assert.Equal((false, NoMatch), (v.Verified, v.Error)));
    }
}
