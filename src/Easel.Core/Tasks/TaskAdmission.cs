namespace Easel.Core.Tasks;

/// <summary>What the store checks, in the transaction that inserts a task, before it lets the task in.</summary>
/// <param name="MaxActiveTasks">The account's tasks pending or processing at once, this one included.</param>
public sealed record TaskAdmission(int MaxActiveTasks, IdempotencyClaim? Idempotency);

/// <summary>An Idempotency-Key with the hash of the request it came with.</summary>
public sealed record IdempotencyClaim(string Key, byte[] RequestHash, TimeSpan Window);

public enum InsertStatus { Inserted, InsufficientCredits, TooManyActive, Replayed, IdempotencyConflict }

/// <summary>The store's answer; for a replay, the task the key first created.</summary>
public sealed record InsertResult(InsertStatus Status, TaskRecord? Task);
