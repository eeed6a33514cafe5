using System.Collections.Concurrent;

namespace Easel.Core.Accounts;

/// <summary>
/// A token bucket per key: <c>RatePerMinute</c> tokens a minute, up to <c>Burst</c> at once. It limits creates (the
/// requests that cause work); polling a task is not limited by it. The embedded mode counts on this node
/// (<see cref="KeyRateLimiter"/>); scale-out mode counts in the shared database, so N nodes give a key its rate once.
/// </summary>
public interface IKeyRateLimiter
{
    /// <summary>Takes a token; when there is none, says how long until there is.</summary>
    ValueTask<(bool Allowed, TimeSpan RetryAfter)> TryAcquireAsync(ApiKey key, CancellationToken cancellationToken);
}

/// <summary>The bucket's numbers for a key, the same for every implementation: null when the key has no rate.</summary>
public readonly record struct KeyRate(double PerSecond, int Capacity)
{
    public static KeyRate? Of(ApiKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.RatePerMinute is not int rate || rate <= 0)
        {
            return null;
        }
        return new KeyRate(rate / 60.0, Math.Max(1, key.Burst ?? rate));
    }

    /// <summary>How long until a bucket holding <paramref name="tokens"/> (below one) has a whole token.</summary>
    public TimeSpan RetryAfter(double tokens) => TimeSpan.FromSeconds(Math.Max(0, 1 - tokens) / PerSecond);
}

/// <summary>The buckets in this process's memory: the embedded (SQLite) mode, where this process is the only node.</summary>
public sealed class KeyRateLimiter(TimeProvider time) : IKeyRateLimiter
{
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);

    public ValueTask<(bool Allowed, TimeSpan RetryAfter)> TryAcquireAsync(ApiKey key, CancellationToken cancellationToken) =>
        ValueTask.FromResult(TryAcquire(key));

    /// <summary>Takes a token; when there is none, says how long until there is.</summary>
    public (bool Allowed, TimeSpan RetryAfter) TryAcquire(ApiKey key)
    {
        if (KeyRate.Of(key) is not { } limit)
        {
            return (true, TimeSpan.Zero);
        }
        var capacity = limit.Capacity;
        var bucket = _buckets.GetOrAdd(key.Id, _ => new Bucket(capacity, time.GetTimestamp()));
        lock (bucket)
        {
            var now = time.GetTimestamp();
            var perSecond = limit.PerSecond;
            bucket.Tokens = Math.Min(capacity, bucket.Tokens + (time.GetElapsedTime(bucket.Stamp, now).TotalSeconds * perSecond));
            bucket.Stamp = now;
            if (bucket.Tokens >= 1)
            {
                bucket.Tokens -= 1;
                return (true, TimeSpan.Zero);
            }
            return (false, limit.RetryAfter(bucket.Tokens));
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
