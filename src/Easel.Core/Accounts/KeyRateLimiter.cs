using System.Collections.Concurrent;

namespace Easel.Core.Accounts;

/// <summary>
/// A token bucket per key, on this node: <c>RatePerMinute</c> tokens a minute, up to <c>Burst</c> at once.
/// It limits creates (the requests that cause work); polling a task is not limited by it.
/// </summary>
public sealed class KeyRateLimiter(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);

    /// <summary>Takes a token; when there is none, says how long until there is.</summary>
    public (bool Allowed, TimeSpan RetryAfter) TryAcquire(ApiKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.RatePerMinute is not int rate || rate <= 0)
        {
            return (true, TimeSpan.Zero);
        }
        var capacity = Math.Max(1, key.Burst ?? rate);
        var bucket = _buckets.GetOrAdd(key.Id, _ => new Bucket(capacity, time.GetTimestamp()));
        lock (bucket)
        {
            var now = time.GetTimestamp();
            var perSecond = rate / 60.0;
            bucket.Tokens = Math.Min(capacity, bucket.Tokens + (time.GetElapsedTime(bucket.Stamp, now).TotalSeconds * perSecond));
            bucket.Stamp = now;
            if (bucket.Tokens >= 1)
            {
                bucket.Tokens -= 1;
                return (true, TimeSpan.Zero);
            }
            return (false, TimeSpan.FromSeconds((1 - bucket.Tokens) / perSecond));
        }
    }

    private sealed class Bucket(double tokens, long stamp)
    {
        public double Tokens { get; set; } = tokens;

        public long Stamp { get; set; } = stamp;
    }
}

public sealed class LimitsOptions
{
    /// <summary>Tasks an account may have pending or processing at once, unless the account sets its own.</summary>
    public int MaxActiveTasksPerAccount { get; set; } = 500;

    /// <summary>How long an Idempotency-Key is remembered.</summary>
    public TimeSpan IdempotencyWindow { get; set; } = TimeSpan.FromHours(24);
}
