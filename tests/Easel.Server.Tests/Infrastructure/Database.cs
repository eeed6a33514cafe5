using Microsoft.Data.Sqlite;

namespace Easel.Server.Tests.Infrastructure;

/// <summary>Reads the host's SQLite file directly, to check what the API cannot show (attempts, stored hashes).</summary>
public static class Database
{
    public static async Task<T> ScalarAsync<T>(string dataDirectory, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(dataDirectory, "easel.db")};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync())!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A write beside the running Easel's own (it waits for Easel's writer, as a second process would).</summary>
    public static async Task<int> ExecuteAsync(string dataDirectory, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(dataDirectory, "easel.db")};Pooling=False;Default Timeout=30");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteNonQueryAsync();
    }
}
