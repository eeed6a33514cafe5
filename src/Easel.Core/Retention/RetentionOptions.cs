namespace Easel.Core.Retention;

/// <summary>Easel:Retention: how long finished tasks keep their files, and how the sweeper goes about deleting them.</summary>
public sealed class RetentionOptions
{
    /// <summary>Days after a task finished that its files are deleted; null (the default) keeps them for ever.</summary>
    public int? Days { get; set; }

    /// <summary>Time between two sweeps (the first comes one interval after start).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Tasks released per transaction: a sweep holds no lock longer than one batch takes.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>What is wrong with these settings, or null: checked at start, so a typo stops the node rather than deleting.</summary>
    public string? Problem() =>
        Days is < 1 or > 36_500 ? $"Easel:Retention:Days must be between 1 and 36500 (or unset: keep for ever); it is {Days}"
        : Interval < TimeSpan.FromMilliseconds(100) ? $"Easel:Retention:Interval must be at least 00:00:00.100; it is {Interval}"
        : BatchSize is < 1 or > 10_000 ? $"Easel:Retention:BatchSize must be between 1 and 10000; it is {BatchSize}"
        : null;
}
