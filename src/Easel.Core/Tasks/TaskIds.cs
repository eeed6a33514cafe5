using System.Security.Cryptography;

namespace Easel.Core.Tasks;

public static class TaskIds
{
    private const string Alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";

    /// <summary>task-unified-1757165031-k3x9q2mw7a: the dialect, the second of creation, 10 random base-36 characters.</summary>
    public static string New(Dialect dialect, DateTimeOffset now) =>
        $"task-{(dialect == Dialect.Unified ? "unified" : "classic")}-{now.ToUnixTimeSeconds()}-{RandomNumberGenerator.GetString(Alphabet, 10)}";

    /// <summary>The engine's seed: fixed by the task id, so a task run twice (after a crash) paints the same pixels.</summary>
    public static int SeedOf(string taskId)
    {
        var hash = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(taskId));
        return BitConverter.ToInt32(hash, 0) & int.MaxValue;
    }
}
