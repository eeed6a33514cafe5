namespace Easel.Core.Callbacks;

public sealed class CallbackOptions
{
    /// <summary>Each attempt waits this long for an answer (API.md: 10 s).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>After the first attempt fails, retries this long after each failure (API.md: 1 s, 2 s, 4 s).</summary>
    public IList<TimeSpan> RetryDelays { get; } = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)];

    /// <summary>Callback requests in flight at once on this node (a slot is held from the send to the answer, not through the record).</summary>
    public int Concurrency { get; set; } = 32;

    /// <summary>A claimed delivery not recorded within this time (its node died) is claimed again.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);
}
