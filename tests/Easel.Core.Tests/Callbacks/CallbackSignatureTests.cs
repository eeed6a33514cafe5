using Easel.Core.Accounts;
using Easel.Core.Callbacks;

namespace Easel.Core.Tests.Callbacks;

/// <summary>
/// Both signatures a callback carries, against vectors computed outside .NET: the Standard Webhooks library's own
/// published example, and values computed with node's crypto module and the standardwebhooks 1.1.1 package.
/// </summary>
public sealed class CallbackSignatureTests
{
    // An Easel-form secret ("whsec_" + 64 hex digits) and a body with non-ASCII text, so UTF-8 is part of the vector.
    private const string Hex = "00112233445566778899aabbccddeeff0f1e2d3c4b5a69788796a5b4c3d2e1f0";
    private const string EaselSecret = "whsec_" + Hex;
    private const string Body = "{\"id\":\"tsk_1\",\"status\":\"completed\",\"prompt\":\"café 🎨\"}";
    private const long At = 1767225600;

    [Fact]
    public void The_standard_signature_matches_the_example_the_standard_webhooks_library_publishes()
    {
        // standard-webhooks, libraries/javascript/src/webhook.test.ts, "sign function works".
        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            StandardWebhookSignature.Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, "{\"test\": 2432232314}"));
    }

    [Fact]
    public void The_standard_signature_of_an_easel_secret_matches_what_node_and_the_library_compute()
    {
        // node: 'v1,' + createHmac('sha256', Buffer.from(hex, 'base64')).update(`dlv_01.1767225600.${body}`).digest('base64'),
        // equal to new Webhook(secret).sign('dlv_01', new Date(1767225600000), body).
        Assert.Equal("v1,YjRkGySI0Wbz1tyd8JxSKYqoz+LH6BxPm35loYW6AgA=", StandardWebhookSignature.Sign(EaselSecret, "dlv_01", At, Body));
    }

    [Fact]
    public void An_easel_secret_is_read_as_base64_text_giving_48_key_bytes_not_its_32_hex_decoded_bytes()
    {
        // What a library derives: the hex digits are base64 characters, so the 64 of them decode to 48 bytes.
        var key = StandardWebhookSignature.Key(EaselSecret);
        Assert.Equal(48, key.Length);
        Assert.Equal("d34d75db6df7e38e79ebaefbf3cf7d69a6db71c75d79e7dfd1fd5ed9dddce1be5aebdefcf3bf7a6b96f87377767b57f4", Convert.ToHexStringLower(key));
        Assert.NotEqual(Convert.FromHexString(Hex), key);
    }

    [Fact]
    public void Every_secret_easel_generates_is_a_standard_secret_of_48_bytes()
    {
        for (var i = 0; i < 200; i++)
        {
            var secret = ApiKeys.NewWebhookSecret();
            Assert.Equal(48, StandardWebhookSignature.Key(secret).Length);
            Assert.Equal(Convert.FromBase64String(secret["whsec_".Length..]), StandardWebhookSignature.Key(secret));
        }
    }

    [Fact]
    public void A_secret_that_is_not_base64_signs_with_its_raw_bytes_as_the_librarys_raw_format_verifies()
    {
        // node: new Webhook('whsec_not base64!', { format: 'raw' }).sign('dlv_01', new Date(1767225600000), body).
        Assert.Equal("v1,h2XsRyZRsEcdsFk74rw45YA4v4K9uGncf3oIxE7gqFo=", StandardWebhookSignature.Sign("whsec_not base64!", "dlv_01", At, Body));
    }

    [Fact]
    public void A_secret_with_whitespace_inside_is_raw_because_the_libraries_refuse_to_decode_it()
    {
        Assert.Equal("whsec_AAAA AAAA"u8.ToArray(), StandardWebhookSignature.Key("whsec_AAAA AAAA"));
    }

    [Fact]
    public void The_standard_signature_depends_on_the_id_the_timestamp_the_body_and_the_secret()
    {
        var signature = StandardWebhookSignature.Sign(EaselSecret, "dlv_01", At, Body);
        Assert.NotEqual(signature, StandardWebhookSignature.Sign(EaselSecret, "dlv_02", At, Body));
        Assert.NotEqual(signature, StandardWebhookSignature.Sign(EaselSecret, "dlv_01", At + 1, Body));
        Assert.NotEqual(signature, StandardWebhookSignature.Sign(EaselSecret, "dlv_01", At, Body.Replace("completed", "failed", StringComparison.Ordinal)));
        Assert.NotEqual(signature, StandardWebhookSignature.Sign(ApiKeys.NewWebhookSecret(), "dlv_01", At, Body));
    }

    [Fact]
    public void The_easel_signature_stays_byte_for_byte_what_todays_receivers_verify()
    {
        // node: 't=1767225600,v1=' + createHmac('sha256', Buffer.from(secret, 'utf8')).update(`1767225600.${body}`).digest('hex').
        var header = CallbackSignature.Sign(EaselSecret, At, Body);
        Assert.Equal("t=1767225600,v1=697174c18476bf4db41a890cf27589830aa07cc493843de8d47724ae01171bf1", header);
        Assert.True(CallbackSignature.Verify(EaselSecret, header, Body));
    }
}
