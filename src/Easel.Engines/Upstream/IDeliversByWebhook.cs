namespace Easel.Engines.Upstream;

/// <summary>
/// A protocol whose results come only by webhook (cog: "polling for prediction status is not supported", and a
/// finished prediction is forgotten). Its terminal delivery is the answer itself, so, unlike API.md section 10's rule
/// for the other engines, the wake-up endpoint reads the body: checked here like any upstream answer and recorded
/// before the upstream is answered (<see cref="WebhookDeliveries"/>); the poller's ordinary poll then reads the
/// recorded body instead of calling the upstream. The per-task token in the wake-up URL, known only to Easel and the
/// upstream, is what makes the body trustworthy enough to record.
/// </summary>
public interface IDeliversByWebhook
{
    /// <summary>
    /// The most bytes a delivery may have when each image may have <paramref name="maxImageBytes"/> (Easel:Outbound's
    /// limit); checked on Content-Length before reading and while reading.
    /// </summary>
    long MaxDeliveryBytes(int maxImageBytes);

    /// <summary>What a delivery's body says of the job under <paramref name="submissionKey"/>.</summary>
    DeliveryReading Read(ReadOnlyMemory<byte> body, string submissionKey);
}

public abstract record DeliveryReading
{
    /// <summary>Not this job's final answer (a start or progress event, another prediction's id, not a prediction at all): nothing changes.</summary>
    public sealed record Ignored(string Reason) : DeliveryReading;

    /// <summary>The job's end: <see cref="PollAnswer.Succeeded"/> or <see cref="PollAnswer.Failed"/>, its results not yet fetched or checked.</summary>
    public sealed record Final(PollAnswer Answer) : DeliveryReading;
}
